import Foundation

/// Text forms of record fields that backends store as strings: JSON for the
/// read and write sets, `TIMESTAMP.ID` for stamps.
public enum RecordCoding {
    public static func encodeWriteSet(_ keys: [Key]) -> String {
        encodeJSON(keys.map(\.string))
    }

    public static func decodeWriteSet(_ text: String) throws(AftError) -> [Key] {
        guard let strings = decodeJSON(text) as? [String] else {
            throw AftError(.storeIO, "corrupt write set in a transaction record: \(Escaping.quoted(String(text.prefix(80)))); restore the store from a backup")
        }
        return strings.map { Key(trusted: $0) }
    }

    /// Encodes a read set as a JSON object from key to stamp text, with null for the null version.
    public static func encodeReadSet(_ readSet: [Key: CommitStamp?]) -> String {
        var object: [String: Any] = [:]
        for (key, stamp) in readSet {
            object[key.string] = stamp.map { $0.text as Any } ?? NSNull()
        }
        return encodeJSON(object)
    }

    public static func decodeReadSet(_ text: String) throws(AftError) -> [Key: CommitStamp?] {
        guard let object = decodeJSON(text) as? [String: Any] else {
            throw AftError(.storeIO, "corrupt read set in a transaction record: \(Escaping.quoted(String(text.prefix(80)))); restore the store from a backup")
        }
        var readSet: [Key: CommitStamp?] = [:]
        for (key, value) in object {
            if value is NSNull {
                readSet[Key(trusted: key)] = .some(nil)
            } else if let text = value as? String, let stamp = CommitStamp(text: text) {
                readSet[Key(trusted: key)] = stamp
            } else {
                throw AftError(.storeIO, "corrupt read-set entry for key \(Escaping.quoted(key)); restore the store from a backup")
            }
        }
        return readSet
    }

    private static func encodeJSON(_ object: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]),
              let text = String(data: data, encoding: .utf8)
        else { return "null" }
        return text
    }

    private static func decodeJSON(_ text: String) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }
}

extension CommitStamp {
    /// Parses the `TIMESTAMP.ID` form of ``text``.
    public init?(text: String) {
        guard let dot = text.firstIndex(of: "."),
              let timestamp = Int64(text[..<dot]),
              let id = TransactionID(hex: String(text[text.index(after: dot)...]))
        else { return nil }
        self.init(timestamp: timestamp, transaction: id)
    }
}
