import AftEngine

/// The shell node's view of its store: it fails every call once the node has crashed,
/// and stops scans and new commits once Ctrl-C was pressed.
///
/// A simulated crash leaves storage exactly as it was, so nothing a dead node's code
/// still runs after the crash (such as the abort that follows a failed commit) may
/// reach the store. Ctrl-C stops a command only where stopping is safe: at a scan,
/// which only reads, or at inserting a transaction record, which happens before the
/// commit point of a transaction of one command and when a transaction is registered.
final class NodeStore: Store {
    private let base: any Store
    private let node: String
    /// Set when the node crashes; the store then rejects every call.
    var isCrashed = false

    init(_ base: any Store, node: String) {
        self.base = base
        self.node = node
    }

    var location: String { base.location }

    private func checkAlive() throws(AftError) {
        guard !isCrashed else {
            throw AftError(.retryableAbort, "node \(node) crashed, so it can no longer reach the store; run the command again on the new node")
        }
    }

    private func checkInterruptible() throws(AftError) {
        try checkAlive()
        try Interrupts.check()
    }

    func writeVersions(_ versions: [Version]) throws(AftError) {
        try checkAlive()
        try base.writeVersions(versions)
    }

    func readVersions(_ ids: [VersionID]) throws(AftError) -> [VersionID: VersionValue] {
        try checkAlive()
        return try base.readVersions(ids)
    }

    func deleteVersions(_ ids: [VersionID]) throws(AftError) {
        try checkAlive()
        try base.deleteVersions(ids)
    }

    func insertRecord(_ record: TransactionRecord) throws(AftError) -> TransactionRecord? {
        try checkInterruptible()
        return try base.insertRecord(record)
    }

    func replaceRecord(_ record: TransactionRecord, expectedRevision: Int) throws(AftError) -> RecordReplacement {
        try checkAlive()
        return try base.replaceRecord(record, expectedRevision: expectedRevision)
    }

    func readRecords(_ ids: [TransactionID]) throws(AftError) -> [TransactionID: TransactionRecord] {
        try checkAlive()
        return try base.readRecords(ids)
    }

    func transactionIDs(withPrefix prefix: String, limit: Int) throws(AftError) -> [TransactionID] {
        try checkInterruptible()
        return try base.transactionIDs(withPrefix: prefix, limit: limit)
    }

    func indexCommit(_ record: TransactionRecord) throws(AftError) {
        try checkAlive()
        try base.indexCommit(record)
    }

    func indexedStamps(of key: Key, olderThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp] {
        try checkInterruptible()
        return try base.indexedStamps(of: key, olderThan: olderThan, limit: limit)
    }

    func logStamps(olderThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp] {
        try checkInterruptible()
        return try base.logStamps(olderThan: olderThan, limit: limit)
    }

    func logStamps(newerThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp] {
        try checkInterruptible()
        return try base.logStamps(newerThan: newerThan, limit: limit)
    }

    func indexedKeys(after: Key?, limit: Int) throws(AftError) -> [Key] {
        try checkInterruptible()
        return try base.indexedKeys(after: after, limit: limit)
    }

    func statistics() throws(AftError) -> StoreStatistics {
        try checkInterruptible()
        return try base.statistics()
    }

    func records(after: TransactionID?, limit: Int) throws(AftError) -> [TransactionRecord] {
        try checkInterruptible()
        return try base.records(after: after, limit: limit)
    }

    func indexEntries(of key: Key, olderThan: CommitStamp?, limit: Int) throws(AftError) -> [IndexEntry] {
        try checkInterruptible()
        return try base.indexEntries(of: key, olderThan: olderThan, limit: limit)
    }

    func removeIndexEntries(_ entries: [(key: Key, stamp: CommitStamp)]) throws(AftError) {
        try checkAlive()
        try base.removeIndexEntries(entries)
    }

    func storedVersions(after: VersionID?, limit: Int) throws(AftError) -> [StoredVersion] {
        try checkInterruptible()
        return try base.storedVersions(after: after, limit: limit)
    }
}
