/// Plain storage without aft, the baseline of the published evaluation.
///
/// Each write is stored and visible as soon as it is made, a read takes the newest
/// stored version without validation, and commit and abort change nothing already
/// written. It exists to make partial updates, read-your-writes violations and
/// fractured reads visible on purpose.
public struct LastWriterWins: ConsistencyMode {
    public static let name = "lww"
    public var name: String { LastWriterWins.name }

    public init() {}

    public func read(_ key: Key, in transaction: Transaction) throws(AftError) -> ReadResult {
        let engine = transaction.engine
        var explanation = ReadExplanation(key: key, source: .newestUnvalidated)
        guard let newest = try engine.store.indexedStamps(of: key, olderThan: nil, limit: 1).first else {
            transaction.readSet[key] = .some(nil)
            explanation.source = .nullVersion
            return ReadResult(key: key, value: nil, version: nil, explanation: explanation)
        }
        explanation.candidates = [.init(stamp: newest, outcome: .chosen)]
        transaction.readSet[key] = newest
        let id = VersionID(key: key, transaction: newest.transaction)
        let contents = try engine.store.readVersions([id])[id]
        return ReadResult(key: key, value: contents?.bytes, version: newest, explanation: explanation)
    }

    /// Stores the version, its record and its index entry at once, as a plain store would.
    public func write(_ contents: VersionValue, to key: Key, in transaction: Transaction) throws(AftError) {
        let engine = transaction.engine
        try transaction.storeVersions([Version(key: key, transaction: transaction.id, contents: contents)])

        let stamp = CommitStamp(timestamp: engine.clock.next(above: nil), transaction: transaction.id)
        var writeSet = transaction.writeSet
        if !writeSet.contains(key) { writeSet.append(key) }
        let record = TransactionRecord(
            id: transaction.id, status: .committed, mode: name, stamp: stamp, writeSet: writeSet,
            readSet: transaction.readSet, startTime: transaction.registration?.startTime ?? stamp.timestamp,
            node: engine.node, revision: transaction.registration?.revision ?? 0)
        if transaction.isRegistered {
            // The registered record stays running so that later commands can continue the transaction.
            var running = record
            running.status = .running
            running.stamp = nil
            try transaction.replaceRegistration(with: running)
            try engine.store.indexCommit(TransactionRecord(
                id: record.id, status: .committed, mode: name, stamp: stamp, writeSet: [key],
                startTime: record.startTime, node: record.node))
        } else {
            try upsert(record, engine: engine)
            var single = record
            single.writeSet = [key]
            try engine.store.indexCommit(single)
        }
    }

    public func commit(_ transaction: Transaction) throws(AftError) -> CommitOutcome {
        let engine = transaction.engine
        let stamp = CommitStamp(timestamp: engine.clock.next(above: nil), transaction: transaction.id)
        if var record = transaction.registration {
            record.status = .committed
            record.stamp = stamp
            record.writeSet = transaction.writeSet
            record.readSet = transaction.readSet
            record.leaseExpiry = 0
            try transaction.replaceRegistration(with: record)
        }
        return CommitOutcome(transaction: transaction.id, stamp: transaction.writeSet.isEmpty ? nil : stamp, writeSet: transaction.writeSet, alreadyCommitted: false)
    }

    /// Marks a registered transaction aborted; its writes stay visible, as they would in plain storage.
    public func abort(_ transaction: Transaction, reason: String) throws(AftError) {
        guard var record = transaction.registration else { return }
        record.status = .aborted
        record.abortReason = reason
        record.leaseExpiry = 0
        try transaction.replaceRegistration(with: record)
    }

    private func upsert(_ record: TransactionRecord, engine: Engine) throws(AftError) {
        guard let existing = try engine.store.insertRecord(record) else { return }
        var replacement = record
        replacement.revision = existing.revision + 1
        _ = try engine.store.replaceRecord(replacement, expectedRevision: existing.revision)
    }
}
