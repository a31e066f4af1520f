/// The storage contract every backend implements.
///
/// A store offers single-key atomic writes, reads and deletes, batched forms of
/// them, and ordered range scans over the version index. The engine never relies on
/// a multi-key transaction of the backend. A backend may group one call into one
/// backend transaction, but each call is one step of the commit protocol, so a
/// crash between two calls must leave each finished call in place.
///
/// A store instance belongs to one thread at a time.
public protocol Store: AnyObject {
    /// The store's location for messages, with any password removed.
    var location: String { get }

    // MARK: Versions

    /// Writes versions, replacing any version with the same key and transaction.
    func writeVersions(_ versions: [Version]) throws(AftError)

    /// Reads versions; a version that is not stored is absent from the result.
    func readVersions(_ ids: [VersionID]) throws(AftError) -> [VersionID: VersionValue]

    /// Deletes versions; deleting a missing version is not an error.
    func deleteVersions(_ ids: [VersionID]) throws(AftError)

    // MARK: Transaction records

    /// Stores `record` unless a record with its id exists; returns the existing record in that case.
    func insertRecord(_ record: TransactionRecord) throws(AftError) -> TransactionRecord?

    /// Replaces the stored record with `record` when the stored revision equals
    /// `expectedRevision`: a compare-and-set on one key.
    func replaceRecord(_ record: TransactionRecord, expectedRevision: Int) throws(AftError) -> RecordReplacement

    /// Reads records; ids without a record are absent from the result.
    func readRecords(_ ids: [TransactionID]) throws(AftError) -> [TransactionID: TransactionRecord]

    /// Lists up to `limit` ids whose hexadecimal form starts with `prefix`, in id order.
    func transactionIDs(withPrefix prefix: String, limit: Int) throws(AftError) -> [TransactionID]

    // MARK: Version index and commit log

    /// Adds every key of a committed record's write set to the version index under
    /// its stamp, and the record to the commit log. Idempotent.
    func indexCommit(_ record: TransactionRecord) throws(AftError)

    /// Returns up to `limit` index stamps of `key`, newest first, strictly older than `olderThan` when given.
    func indexedStamps(of key: Key, olderThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp]

    /// Returns up to `limit` commit-log stamps strictly older than `olderThan`, newest first.
    func logStamps(olderThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp]

    /// Returns up to `limit` commit-log stamps strictly newer than `newerThan`, oldest first.
    func logStamps(newerThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp]

    /// Returns up to `limit` keys with at least one index entry, in byte order, strictly after `after`.
    func indexedKeys(after: Key?, limit: Int) throws(AftError) -> [Key]

    // MARK: Inspection

    /// Counts what the store holds.
    func statistics() throws(AftError) -> StoreStatistics

    // MARK: Garbage collection and recovery

    /// Returns up to `limit` records with ids strictly after `after`, in id order.
    func records(after: TransactionID?, limit: Int) throws(AftError) -> [TransactionRecord]

    /// Returns up to `limit` index entries of `key` with the time each was indexed, newest first.
    func indexEntries(of key: Key, olderThan: CommitStamp?, limit: Int) throws(AftError) -> [IndexEntry]

    /// Removes index entries; the commit log keeps its entries.
    func removeIndexEntries(_ entries: [(key: Key, stamp: CommitStamp)]) throws(AftError)

    /// Returns up to `limit` stored versions after `after` in (key, transaction) order, with the time each was written.
    func storedVersions(after: VersionID?, limit: Int) throws(AftError) -> [StoredVersion]
}

extension Store {
    /// Returns true when the commit log contains `stamp`, which ``indexCommit(_:)`` writes last.
    public func isLogged(_ stamp: CommitStamp) throws(AftError) -> Bool {
        // Every stamp with this timestamp sorts after the bound; more than 16 commits in one nanosecond do not happen.
        let bound = CommitStamp(timestamp: stamp.timestamp - 1, transaction: .maximum)
        return try logStamps(newerThan: bound, limit: 16).contains(stamp)
    }
}

/// One entry of the version index, with the time it was indexed.
public struct IndexEntry: Hashable, Sendable {
    public let stamp: CommitStamp
    /// Nanoseconds since the Unix epoch when the entry was indexed, on the indexing node's clock.
    public let indexedAt: Int64

    public init(stamp: CommitStamp, indexedAt: Int64) {
        self.stamp = stamp
        self.indexedAt = indexedAt
    }
}

/// A stored version's name and the time it was written.
public struct StoredVersion: Hashable, Sendable {
    public let id: VersionID
    /// Nanoseconds since the Unix epoch when the version was written, on the writing node's clock.
    public let writtenAt: Int64

    public init(id: VersionID, writtenAt: Int64) {
        self.id = id
        self.writtenAt = writtenAt
    }
}

/// The outcome of ``Store/replaceRecord(_:expectedRevision:)``.
public enum RecordReplacement: Sendable, Equatable {
    case replaced
    /// The stored record had another revision; it is returned as found.
    case conflict(TransactionRecord)
    case missing
}

/// Counts of what a store holds, for `aft stats`.
public struct StoreStatistics: Sendable, Equatable {
    public var versions: Int
    public var indexedKeys: Int
    public var indexEntries: Int
    public var transactionsByStatus: [TransactionStatus: Int]
    public var logEntries: Int
    /// Bytes on disk, when the backend can tell.
    public var sizeInBytes: Int?

    public init(
        versions: Int, indexedKeys: Int, indexEntries: Int,
        transactionsByStatus: [TransactionStatus: Int], logEntries: Int, sizeInBytes: Int?
    ) {
        self.versions = versions
        self.indexedKeys = indexedKeys
        self.indexEntries = indexEntries
        self.transactionsByStatus = transactionsByStatus
        self.logEntries = logEntries
        self.sizeInBytes = sizeInBytes
    }
}
