import Foundation

/// What one read of a group of keys returned, and how it was made.
struct GroupRead: Sendable, CustomStringConvertible {
    struct Entry: Sendable, Equatable {
        let key: String
        /// The value read as UTF-8 text; nil when the key was not found.
        let value: String?
    }

    /// How the keys were read, such as `aft get c a b`.
    let method: String
    /// The keys in the order read, with their values.
    let entries: [Entry]
    /// Set when a command failed or printed something unexpected; `entries` is then incomplete.
    let failure: String?

    /// The distinct values read, with nil standing for a key that was not found.
    var distinctValues: Set<String?> { Set(entries.map(\.value)) }

    /// True when every key of the group read the same value, as every transaction of these tests writes.
    var isUniform: Bool { failure == nil && distinctValues.count <= 1 }

    var description: String {
        let valuesText = entries.map { "\($0.key)=\($0.value ?? "(not found)")" }.joined(separator: " ")
        return "\(method): \(failure.map { "failed: \($0)" } ?? valuesText)"
    }
}

extension Sandbox {
    /// Reads `keys` in one `aft --json get`, so one transaction of one process reads them all.
    func readAtOnce(_ keys: [String], options: [String] = []) -> GroupRead {
        let method = "aft \((options + ["get"] + keys).joined(separator: " "))"
        let result = aft(options + ["--json", "get", "--"] + keys)
        // Status 1 means a key was not found, and its JSON line reports that too.
        guard result.status == 0 || result.status == 1 else {
            return GroupRead(method: method, entries: [], failure: "\(result)")
        }
        let parsed = Self.parseGetLines(result)
        guard let entries = parsed, entries.map(\.key) == keys else {
            return GroupRead(method: method, entries: parsed ?? [], failure: "unexpected output; \(result)")
        }
        return GroupRead(method: method, entries: entries, failure: nil)
    }

    /// Reads each key with its own one-shot `aft --json get`, so each read is a transaction of its own.
    func readOneByOne(_ keys: [String], options: [String] = []) -> GroupRead {
        let method = "one aft get per key: \(keys.joined(separator: " "))"
        var entries: [GroupRead.Entry] = []
        for key in keys {
            let single = readAtOnce([key], options: options)
            entries += single.entries
            if let failure = single.failure {
                return GroupRead(method: method, entries: entries, failure: failure)
            }
        }
        return GroupRead(method: method, entries: entries, failure: nil)
    }

    /// Begins a registered transaction, reads each key with its own `aft get -t` process, and commits.
    ///
    /// Each process resumes the transaction from its stored read set, so this is the
    /// case where read atomicity must hold across processes.
    func readInRegisteredTransaction(_ keys: [String], options: [String] = []) -> GroupRead {
        let method = "aft begin, then one aft get -t per key: \(keys.joined(separator: " "))"
        let begin = aft(options + ["begin"])
        guard begin.status == 0, let id = begin.outputLines.first, !id.isEmpty else {
            return GroupRead(method: method, entries: [], failure: "\(begin)")
        }
        var entries: [GroupRead.Entry] = []
        for key in keys {
            let result = aft(options + ["--json", "get", "-t", id, "--", key])
            guard result.status == 0 || result.status == 1, let parsed = Self.parseGetLines(result), parsed.count == 1 else {
                aft(["abort", id])
                return GroupRead(method: method, entries: entries, failure: "\(result)")
            }
            entries += parsed
        }
        let commit = aft(options + ["commit", id])
        guard commit.status == 0 else {
            return GroupRead(method: method, entries: entries, failure: "\(commit)")
        }
        return GroupRead(method: method, entries: entries, failure: nil)
    }

    /// Parses the JSON lines of `aft --json get`; nil when a line is not what get prints.
    static func parseGetLines(_ result: CommandResult) -> [GroupRead.Entry]? {
        var entries: [GroupRead.Entry] = []
        for line in result.outputLines {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                let key = object["key"] as? String, let found = object["found"] as? Bool
            else { return nil }
            if found {
                // Every value in these tests is ASCII text, which get prints with encoding utf-8.
                guard let value = object["value"] as? String, object["encoding"] as? String == "utf-8" else { return nil }
                entries.append(GroupRead.Entry(key: key, value: value))
            } else {
                entries.append(GroupRead.Entry(key: key, value: nil))
            }
        }
        return entries
    }
}
