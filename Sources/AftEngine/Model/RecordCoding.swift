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

    /// Encodes a read set as a JSON array of `[key, "TIMESTAMP.ID"]` pairs sorted by key, with
    /// null for the null version. Not an object, because decoding an object into a Swift
    /// dictionary would merge keys that differ in bytes but are canonically equivalent.
    public static func encodeReadSet(_ readSet: [Key: CommitStamp?]) -> String {
        let pairs: [[String?]] = readSet.sorted { $0.key < $1.key }.map { [$0.key.string, $0.value?.text] }
        return encodeJSON(pairs)
    }

    public static func decodeReadSet(_ text: String) throws(AftError) -> [Key: CommitStamp?] {
        let corrupt = AftError(.storeIO, "corrupt read set in a transaction record: \(Escaping.quoted(String(text.prefix(80)))); restore the store from a backup")
        guard let pairs = try? JSONDecoder().decode([[String?]].self, from: Data(text.utf8)) else { throw corrupt }
        var readSet: [Key: CommitStamp?] = [:]
        for pair in pairs {
            guard pair.count == 2, let key = pair[0] else { throw corrupt }
            guard let value = pair[1] else {
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
