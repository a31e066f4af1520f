import FoundationEssentials
import Glibc

/// Text forms of record fields that backends store as strings: JSON for the
/// read and write sets, `TIMESTAMP.ID` for stamps.
public enum RecordCoding {
    public static func encodeWriteSet(_ keys: [Key]) -> String {
        encodeJSON(keys.map(\.string))
    }

    public static func decodeWriteSet(_ text: String) throws(AftError) -> [Key] {
        guard let strings = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else {
            throw AftError(.storeIO, "corrupt write set in a transaction record: \(Escaping.quoted(String(text.prefix(80)))); restore the store from a backup")
        }
        return strings.map { Key(trusted: $0) }
    }

    /// Encodes a read set as a JSON object from key to stamp text, with null for the null version.
    public static func encodeReadSet(_ readSet: [Key: CommitStamp?]) -> String {
        var object: [String: String?] = [:]
        for (key, stamp) in readSet {
            object[key.string] = .some(stamp?.text)
        }
        return encodeJSON(object)
    }

    public static func decodeReadSet(_ text: String) throws(AftError) -> [Key: CommitStamp?] {
        guard let object = try? JSONDecoder().decode([String: String?].self, from: Data(text.utf8)) else {
            throw AftError(.storeIO, "corrupt read set in a transaction record: \(Escaping.quoted(String(text.prefix(80)))); restore the store from a backup")
        }
        var readSet: [Key: CommitStamp?] = [:]
        for (key, value) in object {
            guard let value else {
                readSet[Key(trusted: key)] = .some(nil)
                continue
            }
            guard let stamp = CommitStamp(text: value) else {
                throw AftError(.storeIO, "corrupt read-set entry for key \(Escaping.quoted(key)); restore the store from a backup")
            }
            readSet[Key(trusted: key)] = stamp
        }
        return readSet
    }

    private static func encodeJSON(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
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
