/// The result of `aft recover`: the transactions it repaired.
public struct RecoveryReport: Sendable, Equatable {
    public var recordsScanned = 0
    /// Committed transactions that were missing from the index and commit log, now indexed.
    public var repaired: [TransactionID] = []
}

extension Engine {
    /// Indexes every committed transaction whose index step a crash skipped.
    ///
    /// The commit log entry is written last by ``Store/indexCommit(_:)``, so a
    /// committed record without one may lack index entries. Indexing it again is
    /// idempotent, which makes recovery safe beside live traffic and safe to repeat.
    public func recover(progress: (RecoveryReport) -> Void = { _ in }) throws(AftError) -> RecoveryReport {
        var report = RecoveryReport()
        var cursor: TransactionID?
        while true {
            let page = try store.records(after: cursor, limit: 500)
            guard let last = page.last else { break }
            for record in page where try repairIndex(of: record) {
                report.repaired.append(record.id)
            }
            report.recordsScanned += page.count
            progress(report)
            cursor = last.id
        }
        return report
    }

    /// Indexes one committed transaction whose index step a crash skipped; returns true when it did.
    ///
    /// Idempotent, so it is safe while the committing process may still be indexing.
    @discardableResult
    func repairIndex(of record: TransactionRecord) throws(AftError) -> Bool {
        // lww writes are indexed as they are made, each under a stamp of its own.
        guard record.status == .committed, !record.writeSet.isEmpty, record.mode != LastWriterWins.name,
            let stamp = record.stamp, try !store.isLogged(stamp)
        else { return false }
        try store.indexCommit(record)
        return true
    }
}
