/// A store that reaches the `store.*` fault points before passing each call on.
final class FaultInjectingStore: Store {
    private let base: any Store
    private let faults: FaultPlan

    init(_ base: any Store, faults: FaultPlan) {
        self.base = base
        self.faults = faults
    }

    var location: String { base.location }

    func writeVersions(_ versions: [Version]) throws(AftError) {
        try faults.reach(.storePut)
        try base.writeVersions(versions)
    }

    func readVersions(_ ids: [VersionID]) throws(AftError) -> [VersionID: VersionValue] {
        try faults.reach(.storeGet)
        return try base.readVersions(ids)
    }

    func deleteVersions(_ ids: [VersionID]) throws(AftError) {
        try faults.reach(.storeDelete)
        try base.deleteVersions(ids)
    }

    func insertRecord(_ record: TransactionRecord) throws(AftError) -> TransactionRecord? {
        try faults.reach(.storePut)
        return try base.insertRecord(record)
    }

    func replaceRecord(_ record: TransactionRecord, expectedRevision: Int) throws(AftError) -> RecordReplacement {
        try faults.reach(.storePut)
        return try base.replaceRecord(record, expectedRevision: expectedRevision)
    }

    func readRecords(_ ids: [TransactionID]) throws(AftError) -> [TransactionID: TransactionRecord] {
        try faults.reach(.storeGet)
        return try base.readRecords(ids)
    }

    func transactionIDs(withPrefix prefix: String, limit: Int) throws(AftError) -> [TransactionID] {
        try faults.reach(.storeScan)
        return try base.transactionIDs(withPrefix: prefix, limit: limit)
    }

    func indexCommit(_ record: TransactionRecord) throws(AftError) {
        try faults.reach(.storePut)
        try base.indexCommit(record)
    }

    func indexedStamps(of key: Key, olderThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp] {
        try faults.reach(.storeScan)
        return try base.indexedStamps(of: key, olderThan: olderThan, limit: limit)
    }

    func logStamps(olderThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp] {
        try faults.reach(.storeScan)
        return try base.logStamps(olderThan: olderThan, limit: limit)
    }

    func logStamps(newerThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp] {
        try faults.reach(.storeScan)
        return try base.logStamps(newerThan: newerThan, limit: limit)
    }

    func indexedKeys(after: Key?, limit: Int) throws(AftError) -> [Key] {
        try faults.reach(.storeScan)
        return try base.indexedKeys(after: after, limit: limit)
    }

    func statistics() throws(AftError) -> StoreStatistics {
        try base.statistics()
    }

    func records(after: TransactionID?, limit: Int) throws(AftError) -> [TransactionRecord] {
        try faults.reach(.storeScan)
        return try base.records(after: after, limit: limit)
    }

    func indexEntries(of key: Key, olderThan: CommitStamp?, limit: Int) throws(AftError) -> [IndexEntry] {
        try faults.reach(.storeScan)
        return try base.indexEntries(of: key, olderThan: olderThan, limit: limit)
    }

    func removeIndexEntries(_ entries: [(key: Key, stamp: CommitStamp)]) throws(AftError) {
        try faults.reach(.storeDelete)
        try base.removeIndexEntries(entries)
    }

    func storedVersions(after: VersionID?, limit: Int) throws(AftError) -> [StoredVersion] {
        try faults.reach(.storeScan)
        return try base.storedVersions(after: after, limit: limit)
    }
}
