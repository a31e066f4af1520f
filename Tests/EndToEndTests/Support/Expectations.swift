import Foundation
import Testing

/// Checks that a command exited 0 with nothing on standard error.
func expectSuccess(_ result: CommandResult, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status == 0, "\(result)", sourceLocation: sourceLocation)
    #expect(result.stderr.isEmpty, "\(result)", sourceLocation: sourceLocation)
}

/// Checks that a command failed with `status` and reported it as one `error:` line
/// that contains every fragment.
///
/// A usage error (status 64) may follow its error line with the command's usage line
/// and a pointer to help, as command-line tools conventionally do. Any other error is
/// exactly one line.
func expectFailure(
    _ result: CommandResult, status: Int32, mentioning fragments: [String] = [], stdoutEmpty: Bool = true,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(result.status == status, "\(result)", sourceLocation: sourceLocation)
    #expect(!result.timedOut, "\(result)", sourceLocation: sourceLocation)
    let lines = result.errorLines
    let first = lines.first ?? ""
    #expect(first.hasPrefix("error: "), "\(result)", sourceLocation: sourceLocation)
    if status == 64 && lines.count > 1 {
        #expect(lines.count == 3, "\(result)", sourceLocation: sourceLocation)
        #expect(lines.dropFirst().first?.hasPrefix("usage: aft") == true, "\(result)", sourceLocation: sourceLocation)
    } else {
        #expect(lines.count == 1, "\(result)", sourceLocation: sourceLocation)
    }
    for fragment in fragments {
        #expect(first.contains(fragment), "expected \(fragment.debugDescription) in the error line; \(result)", sourceLocation: sourceLocation)
    }
    if stdoutEmpty {
        #expect(result.stdout.isEmpty, "\(result)", sourceLocation: sourceLocation)
    }
}

/// Parses standard output as JSON lines, one object per line.
func jsonObjects(_ result: CommandResult, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
    var objects: [[String: Any]] = []
    for line in result.outputLines {
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
        let object = try #require(parsed as? [String: Any], "not a JSON object: \(line)", sourceLocation: sourceLocation)
        objects.append(object)
    }
    return objects
}

/// Parses standard output as exactly one JSON object.
func jsonObject(_ result: CommandResult, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    let objects = try jsonObjects(result, sourceLocation: sourceLocation)
    try #require(objects.count == 1, "expected one JSON line; \(result)", sourceLocation: sourceLocation)
    return objects[0]
}

/// Decodes a JSON object's `value` field as its `encoding` field names: UTF-8 text or base64.
func valueBytes(_ object: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
    let value = try #require(object["value"] as? String, "no value in \(object)", sourceLocation: sourceLocation)
    switch object["encoding"] as? String {
    case "utf-8":
        return Array(value.utf8)
    case "base64":
        let data = try #require(Data(base64Encoded: value), "invalid base64 \(value)", sourceLocation: sourceLocation)
        return Array(data)
    default:
        Issue.record("unknown encoding in \(object)", sourceLocation: sourceLocation)
        return []
    }
}

/// Everything a user can see of a store through aft, to compare before and after a failed command.
struct StoreSnapshot: Equatable, CustomStringConvertible {
    let log: String
    let keys: String
    /// `aft --json get` of every listed key, in order.
    let values: [String]
    /// `aft --json stats` without the file size, which SQLite may change without new content.
    let counts: String

    var description: String {
        "log:\n\(log)keys:\n\(keys)values:\n\(values.joined())counts: \(counts)"
    }
}

extension Sandbox {
    /// Reads the store's log, keys, values and counts through aft.
    func snapshot(sourceLocation: SourceLocation = #_sourceLocation) throws -> StoreSnapshot {
        let log = aft("--json", "log")
        let keys = aft("--json", "keys")
        let stats = aft("--json", "stats")
        for result in [log, keys, stats] {
            #expect(result.status == 0, "\(result)", sourceLocation: sourceLocation)
        }
        var values: [String] = []
        for object in try jsonObjects(keys, sourceLocation: sourceLocation) {
            let key = try #require(object["key"] as? String, sourceLocation: sourceLocation)
            values.append(aft("--json", "get", "--", key).output)
        }
        var counts = try jsonObject(stats, sourceLocation: sourceLocation)
        counts["size_bytes"] = nil
        let countsText = String(decoding: try JSONSerialization.data(withJSONObject: counts, options: [.sortedKeys]), as: UTF8.self)
        return StoreSnapshot(log: log.output, keys: keys.output, values: values, counts: countsText)
    }
}
