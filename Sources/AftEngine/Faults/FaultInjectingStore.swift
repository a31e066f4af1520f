/// A store that reaches the `store.*` fault points before passing each call on.
///
/// ``Engine`` wraps its store in one when its plan has rules at start. A caller that
/// arms faults later, as the shell does, wraps the store itself.
public final class FaultInjectingStore: Store {
    private let base: any Store
    private let faults: FaultPlan

    public init(_ base: any Store, faults: FaultPlan) {
        self.base = base
        self.faults = faults
    }

    public var location: String { base.location }

    public func writeVersions(_ versions: [Version]) throws(AftError) {
        try faults.reach(.storePut)
        try base.writeVersions(versions)
    }

    public func readVersions(_ ids: [VersionID]) throws(AftError) -> [VersionID: VersionValue] {
        try faults.reach(.storeGet)
        return try base.readVersions(ids)
    }

    public func deleteVersions(_ ids: [VersionID]) throws(AftError) {
        try faults.reach(.storeDelete)
        try base.deleteVersions(ids)
    }

    public func insertRecord(_ record: TransactionRecord) throws(AftError) -> TransactionRecord? {
        try faults.reach(.storePut)
        return try base.insertRecord(record)
    }

    public func replaceRecord(_ record: TransactionRecord, expectedRevision: Int) throws(AftError) -> RecordReplacement {
        try faults.reach(.storePut)
        return try base.replaceRecord(record, expectedRevision: expectedRevision)
    }

    public func readRecords(_ ids: [TransactionID]) throws(AftError) -> [TransactionID: TransactionRecord] {
        try faults.reach(.storeGet)
        return try base.readRecords(ids)
    }

    public func transactionIDs(withPrefix prefix: String, limit: Int) throws(AftError) -> [TransactionID] {
        try faults.reach(.storeScan)
        return try base.transactionIDs(withPrefix: prefix, limit: limit)
    }

    public func indexCommit(_ record: TransactionRecord) throws(AftError) {
        try faults.reach(.storePut)
        try base.indexCommit(record)
    }

    public func indexedStamps(of key: Key, olderThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp] {
        try faults.reach(.storeScan)
        return try base.indexedStamps(of: key, olderThan: olderThan, limit: limit)
    }

    public func logStamps(olderThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp] {
        try faults.reach(.storeScan)
        return try base.logStamps(olderThan: olderThan, limit: limit)
    }

    public func logStamps(newerThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp] {
        try faults.reach(.storeScan)
        return try base.logStamps(newerThan: newerThan, limit: limit)
    }

    public func indexedKeys(after: Key?, limit: Int) throws(AftError) -> [Key] {
        try faults.reach(.storeScan)
        return try base.indexedKeys(after: after, limit: limit)
    }

    public func statistics() throws(AftError) -> StoreStatistics {
        try base.statistics()
    }

    public func records(after: TransactionID?, limit: Int) throws(AftError) -> [TransactionRecord] {
        try faults.reach(.storeScan)
        return try base.records(after: after, limit: limit)
    }

    public func indexEntries(of key: Key, olderThan: CommitStamp?, limit: Int) throws(AftError) -> [IndexEntry] {
        try faults.reach(.storeScan)
        return try base.indexEntries(of: key, olderThan: olderThan, limit: limit)
    }

    public func removeIndexEntries(_ entries: [(key: Key, stamp: CommitStamp)]) throws(AftError) {
        try faults.reach(.storeDelete)
        try base.removeIndexEntries(entries)
    }

    public func storedVersions(after: VersionID?, limit: Int) throws(AftError) -> [StoredVersion] {
        try faults.reach(.storeScan)
        return try base.storedVersions(after: after, limit: limit)
    }
}
