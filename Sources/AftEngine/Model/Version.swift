/// The name of one version: key `k` as written by transaction `T`, shown as `k@T`.
public struct VersionID: Hashable, Sendable {
    public let key: Key
    public let transaction: TransactionID

    public init(key: Key, transaction: TransactionID) {
        self.key = key
        self.transaction = transaction
    }
}

/// The contents of a version: a value, or the tombstone a delete writes.
public enum VersionValue: Hashable, Sendable {
    case value([UInt8])
    case tombstone

    public var bytes: [UInt8]? {
        if case .value(let bytes) = self { return bytes }
        return nil
    }
}

/// A version to store.
public struct Version: Hashable, Sendable {
    public let id: VersionID
    public let contents: VersionValue

    public init(key: Key, transaction: TransactionID, contents: VersionValue) {
        self.id = VersionID(key: key, transaction: transaction)
        self.contents = contents
    }
}
