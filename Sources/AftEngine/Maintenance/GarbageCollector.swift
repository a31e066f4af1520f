/// Settings of one garbage collection.
public struct GarbageCollectionOptions: Sendable {
    /// How long a superseding version must have been visible before the versions it superseded may go.
    public var grace: Duration = .seconds(60)
    /// How many of each key's newest versions to keep for inspection, whatever their age; at least 1.
    public var retainedVersions = 1
    /// Report what would be deleted without deleting anything.
    public var dryRun = false

    public init(grace: Duration = .seconds(60), retainedVersions: Int = 1, dryRun: Bool = false) {
        self.grace = grace
        self.retainedVersions = max(1, retainedVersions)
        self.dryRun = dryRun
    }
}

/// The result of a garbage collection, also passed to the progress callback as it goes.
public struct GarbageCollectionReport: Sendable {
    /// Versions superseded before this time (nanoseconds since the epoch) were eligible.
    public var watermark: Int64 = 0
    public var phase = "records"
    public var recordsScanned = 0
    public var keysScanned = 0
    public var versionsScanned = 0
    /// The oldest running registered transaction, which keeps the watermark back when it started before `now − grace`.
    public var oldestRunning: (id: TransactionID, startTime: Int64)?
    /// Running transactions whose lease had expired, now aborted.
    public var expiredTransactions: [TransactionID] = []
    /// Superseded transactions whose versions and index entries were deleted.
    public var collectedTransactions = 0
    public var indexEntriesDeleted = 0
    /// Superseded versions, plus staged or orphaned versions of transactions that never committed.
    public var versionsDeleted = 0
}

extension Engine {
    /// Deletes what no transaction can read any more, by the horizon rule of MVCC databases.
    ///
    /// A transaction is superseded when every key it wrote has a newer committed
    /// version. Its versions go only when those newer versions were indexed before the
    /// watermark: the earlier of `now − grace` and the start of the oldest running
    /// registered transaction. A running transaction never reads below the newest
    /// version that was visible when it began, so nothing it may read is deleted.
    /// Expired leases are aborted first, and versions of transactions that never
    /// committed are deleted once older than the grace period. Safe beside live
    /// traffic and idempotent.
    public func collectGarbage(
        _ options: GarbageCollectionOptions, progress: (GarbageCollectionReport) -> Void = { _ in }
    ) throws(AftError) -> GarbageCollectionReport {
        var report = GarbageCollectionReport()
        let now = StampClock.now()
        let graceNanoseconds = Engine.nanoseconds(options.grace)

        let oldestRunning = try abortExpiredTransactions(now: now, options: options, report: &report, progress: progress)
        report.watermark = min(now - graceNanoseconds, oldestRunning ?? .max)

        report.phase = "index"
        try collectSupersededTransactions(options: options, report: &report, progress: progress)

        report.phase = "versions"
        try collectUncommittedVersions(olderThan: now - graceNanoseconds, options: options, report: &report, progress: progress)
        return report
    }

    /// Aborts running transactions whose lease expired; returns the start time of the oldest one still running.
    private func abortExpiredTransactions(
        now: Int64, options: GarbageCollectionOptions, report: inout GarbageCollectionReport,
        progress: (GarbageCollectionReport) -> Void
    ) throws(AftError) -> Int64? {
        var oldestRunning: Int64?
        var cursor: TransactionID?
        while true {
            let page = try store.records(after: cursor, limit: 500)
            guard let last = page.last else { break }
            for record in page where record.status == .running {
                if record.leaseExpiry > 0 && record.leaseExpiry < now {
                    report.expiredTransactions.append(record.id)
                    if !options.dryRun {
                        let transaction = Transaction(engine: self, id: record.id, mode: ConsistencyModes.named(record.mode) ?? ReadAtomic(), registration: record)
                        // Another process may have committed or renewed it meanwhile; then it is not expired any more.
                        try? transaction.abort(reason: "its lease expired")
                    }
                } else if record.startTime < (oldestRunning ?? .max) {
                    oldestRunning = record.startTime
                    report.oldestRunning = (record.id, record.startTime)
                }
            }
            report.recordsScanned += page.count
            progress(report)
            cursor = last.id
        }
        return oldestRunning
    }

    /// Deletes the versions and index entries of transactions superseded on every key before the watermark.
    private func collectSupersededTransactions(
        options: GarbageCollectionOptions, report: inout GarbageCollectionReport, progress: (GarbageCollectionReport) -> Void
    ) throws(AftError) {
        // For each transaction, the keys on which a newer version was indexed before the watermark,
        // with the stamp of its own entry there (an lww transaction has one stamp per write).
        var supersededKeys: [TransactionID: [Key: CommitStamp]] = [:]
        var cursor: Key?
        while true {
            let keys = try store.indexedKeys(after: cursor, limit: 200)
            guard let lastKey = keys.last else { break }
            for key in keys {
                let entries = try allIndexEntries(of: key)
                for position in entries.indices.dropFirst(options.retainedVersions) {
                    // Entries are newest first, so the one before is the version that superseded this one.
                    guard entries[position - 1].indexedAt < report.watermark else { continue }
                    let stamp = entries[position].stamp
                    supersededKeys[stamp.transaction, default: [:]][key] = stamp
                }
            }
            report.keysScanned += keys.count
            progress(report)
            cursor = lastKey
        }

        let candidates = Array(supersededKeys.keys)
        for start in stride(from: 0, to: candidates.count, by: 200) {
            let batch = Array(candidates[start..<min(start + 200, candidates.count)])
            let records = try self.records(batch)
            for id in batch {
                guard let superseded = supersededKeys[id] else { continue }
                // A transaction with no record, or keys not yet superseded, stays whole.
                guard let record = records[id], Set(record.writeSet) == Set(superseded.keys) else { continue }
                report.collectedTransactions += 1
                report.indexEntriesDeleted += record.writeSet.count
                report.versionsDeleted += record.writeSet.count
                guard !options.dryRun else { continue }
                // Index entries go first, so a reader never finds an entry whose version is gone.
                try store.removeIndexEntries(superseded.map { (key: $0.key, stamp: $0.value) })
                try store.deleteVersions(record.writeSet.map { VersionID(key: $0, transaction: id) })
            }
            progress(report)
        }
    }

    /// Deletes versions of transactions that are aborted, or that have no record at all
    /// (a crash before the commit point), once they are older than the grace period.
    ///
    /// A committed transaction's version of a key outside its write set goes too: a put
    /// that crashed after staging the version but before recording the key left it,
    /// and neither readers nor recovery can reach it.
    private func collectUncommittedVersions(
        olderThan cutoff: Int64, options: GarbageCollectionOptions, report: inout GarbageCollectionReport,
        progress: (GarbageCollectionReport) -> Void
    ) throws(AftError) {
        var cursor: VersionID?
        while true {
            let page = try store.storedVersions(after: cursor, limit: 500)
            guard let last = page.last else { break }
            let records = try store.readRecords(Array(Set(page.map(\.id.transaction))))
            var doomed: [VersionID] = []
            for version in page where version.writtenAt < cutoff {
                guard let record = records[version.id.transaction] else {
                    doomed.append(version.id)
                    continue
                }
                switch record.status {
                case .aborted: doomed.append(version.id)
                case .committed where !record.writeSet.contains(version.id.key): doomed.append(version.id)
                case .running, .committed: break
                }
            }
            report.versionsScanned += page.count
            report.versionsDeleted += doomed.count
            if !options.dryRun && !doomed.isEmpty {
                try store.deleteVersions(doomed)
            }
            progress(report)
            cursor = last.id
        }
    }

    private func allIndexEntries(of key: Key) throws(AftError) -> [IndexEntry] {
        var entries: [IndexEntry] = []
        while true {
            let page = try store.indexEntries(of: key, olderThan: entries.last?.stamp, limit: 500)
            entries += page
            if page.count < 500 { return entries }
        }
    }

}
