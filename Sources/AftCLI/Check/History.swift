import AftEngine
import FoundationEssentials

/// One transaction of a recorded history, as `aft bench --record` writes it and `aft check` reads it.
///
/// Each line of a history file is one JSON object:
/// `{"transaction":"HEX","status":"committed","stamp":"TIMESTAMP.HEX","operations":[…]}` where an
/// operation is `{"op":"read","key":"k","writer":"HEX"}` (`writer` null for "not found") or
/// `{"op":"write","key":"k"}`. A read's writer comes from the value itself, which names the
/// transaction that wrote it, so the history does not depend on the engine's bookkeeping.
struct HistoryTransaction: Codable, Equatable, Sendable {
    enum Status: String, Codable, Sendable {
        case committed, aborted
    }

    struct Operation: Codable, Equatable, Sendable {
        enum Kind: String, Codable, Sendable {
            case read, write
        }

        let op: Kind
        let key: String
        /// For a read, the transaction that wrote the value returned, or nil for "not found".
        let writer: String?

        static func read(_ key: String, writer: String?) -> Operation {
            Operation(op: .read, key: key, writer: writer)
        }

        static func write(_ key: String) -> Operation {
            Operation(op: .write, key: key, writer: nil)
        }
    }

    let transaction: String
    var status: Status
    /// The commit stamp as `TIMESTAMP.HEX`; it orders committed transactions.
    var stamp: String?
    var mode: String?
    var operations: [Operation]
}

enum HistoryFile {
    static func encode(_ transaction: HistoryTransaction) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard let data = try? encoder.encode(transaction) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func decode(_ bytes: [UInt8], name: String) throws(AftError) -> [HistoryTransaction] {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw AftError(.invalidInput, "history \(Escaping.quoted(name)) is not valid UTF-8; give a file written by 'aft bench --record'")
        }
        var transactions: [HistoryTransaction] = []
        let decoder = JSONDecoder()
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            guard let transaction = try? decoder.decode(HistoryTransaction.self, from: Data(line.utf8)) else {
                throw AftError(.invalidInput, "\(name) line \(offset + 1) is not a history transaction; each line must be a JSON object with transaction, status and operations")
            }
            transactions.append(transaction)
        }
        return transactions
    }
}
