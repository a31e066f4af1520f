import AftEngine

/// Renders a read's explanation as text lines and as JSON.
enum ExplainFormatter {
    static func lines(_ explanation: ReadExplanation, version: CommitStamp?, deleted: Bool) -> [String] {
        let key = explanation.key
        var lines: [String] = []
        switch explanation.source {
        case .ownWrite:
            lines.append("\(Escaping.token(key.string)): this transaction wrote it, so the read returns that write")
        case .repeatedRead:
            lines.append("\(Formatting.version(key, version)): read before in this transaction, so the read repeats it")
        case .storedVersion:
            lines.append("\(Formatting.version(key, version)): the newest committed version that keeps the reads atomic")
        case .nullVersion:
            lines.append("\(Formatting.version(key, nil)): no committed version is visible, so the key reads as not found")
        case .newestUnvalidated:
            lines.append("\(Formatting.version(key, version)): the newest stored version, taken without validation (lww)")
        }
        if let bound = explanation.lowerBound {
            lines.append("  lower bound \(Formatting.version(key, bound.stamp)): you read \(Formatting.version(bound.readKey, bound.stamp)), and that transaction also wrote \(Escaping.token(key.string))")
        }
        for candidate in explanation.candidates {
            let name = Formatting.version(key, candidate.stamp)
            switch candidate.outcome {
            case .chosen:
                lines.append("  \(name) chosen")
            case .fractured(let other, let readVersion):
                lines.append("  \(name) skipped: \(candidate.stamp.transaction.short) also wrote \(Escaping.token(other.string)) and you read \(Formatting.version(other, readVersion)), which is older")
            case .notCommitted:
                lines.append("  \(name) skipped: the index names it, but its transaction record is not committed")
            }
        }
        if deleted && version != nil {
            lines.append("  \(Formatting.version(key, version)) is a delete, so the key reads as not found")
        }
        if explanation.repairedIndex {
            lines.append("  the lower bound was committed but missing from the index; this read indexed it")
        }
        return lines
    }

    static func json(_ explanation: ReadExplanation) -> JSONValue {
        let source = switch explanation.source {
        case .ownWrite: "own-write"
        case .repeatedRead: "repeated-read"
        case .storedVersion: "stored-version"
        case .nullVersion: "null-version"
        case .newestUnvalidated: "newest-unvalidated"
        }
        let candidates: [JSONValue] = explanation.candidates.map { candidate in
            var fields: [(String, JSONValue)] = [("version", .string(candidate.stamp.text))]
            switch candidate.outcome {
            case .chosen:
                fields.append(("outcome", .string("chosen")))
            case .fractured(let other, let readVersion):
                fields += [("outcome", .string("skipped-fractured")), ("conflict_key", .string(other.string)), ("read_version", Formatting.jsonStamp(readVersion))]
            case .notCommitted:
                fields.append(("outcome", .string("skipped-not-committed")))
            }
            return .object(fields)
        }
        return .object([
            ("source", .string(source)),
            ("lower_bound", Formatting.jsonStamp(explanation.lowerBound?.stamp)),
            ("candidates", .array(candidates)),
            ("repaired_index", .bool(explanation.repairedIndex)),
        ])
    }
}
