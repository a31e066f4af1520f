/// Read atomic isolation: no dirty reads, no fractured reads, read your writes,
/// repeatable read, and commits whose versions become visible together.
public struct ReadAtomic: ConsistencyMode {
    public static let name = "read-atomic"
    public var name: String { ReadAtomic.name }
    /// How many index entries one range scan fetches while walking down a key's versions.
    static let scanPageSize = 8

    public init() {}

    // MARK: Reading

    public func read(_ key: Key, in transaction: Transaction) throws(AftError) -> ReadResult {
        if let own = try ownWrite(of: key, in: transaction) {
            return ReadResult(key: key, value: own.bytes, version: nil, explanation: ReadExplanation(key: key, source: .ownWrite))
        }

        if let pinned = transaction.readSet[key] {
            let contents = try pinned.map { stamp throws(AftError) in try value(of: key, at: stamp, in: transaction) }
            return ReadResult(key: key, value: contents?.bytes, version: pinned, explanation: ReadExplanation(key: key, source: .repeatedRead))
        }

        var explanation = ReadExplanation(key: key, source: .storedVersion)
        let chosen = try chooseVersion(of: key, in: transaction, explanation: &explanation)
        transaction.readSet[key] = .some(chosen)
        guard let chosen else {
            explanation.source = .nullVersion
            return ReadResult(key: key, value: nil, version: nil, explanation: explanation)
        }
        let contents = try value(of: key, at: chosen, in: transaction)
        return ReadResult(key: key, value: contents.bytes, version: chosen, explanation: explanation)
    }

    /// Returns the transaction's latest write of `key`, buffered or staged.
    private func ownWrite(of key: Key, in transaction: Transaction) throws(AftError) -> VersionValue? {
        if let buffered = transaction.writeBuffer[key] { return buffered }
        guard transaction.isRegistered, transaction.writeSet.contains(key) else { return nil }
        let id = VersionID(key: key, transaction: transaction.id)
        guard let staged = try transaction.engine.store.readVersions([id])[id] else {
            throw AftError(.retryableAbort, "staged version of \(Escaping.quoted(key.string)) in transaction \(transaction.id.short) is missing from storage; abort and run the transaction again")
        }
        return staged
    }

    /// Picks the version of `key` to return: the newest committed version, down to
    /// the lower bound, that does not fracture the read set. Returns nil for the null version.
    func chooseVersion(
        of key: Key, in transaction: Transaction, explanation: inout ReadExplanation
    ) throws(AftError) -> CommitStamp? {
        let engine = transaction.engine
        let lowerBound = try self.lowerBound(of: key, in: transaction)
        explanation.lowerBound = lowerBound

        var cursor: CommitStamp?
        scanning: while true {
            let page = try engine.store.indexedStamps(of: key, olderThan: cursor, limit: ReadAtomic.scanPageSize)
            for stamp in page {
                if let lowerBound, stamp <= lowerBound.stamp {
                    if stamp == lowerBound.stamp {
                        explanation.candidates.append(.init(stamp: stamp, outcome: .chosen))
                        return stamp
                    }
                    break scanning
                }
                // Records are fetched one candidate at a time, because the newest is usually valid
                // and a record read for each candidate of the page would cost a store call apiece.
                let outcome = validate(stamp, record: try engine.record(stamp.transaction), reading: key, in: transaction)
                explanation.candidates.append(.init(stamp: stamp, outcome: outcome))
                if outcome == .chosen { return stamp }
            }
            guard page.count == ReadAtomic.scanPageSize, let last = page.last else { break }
            cursor = last
        }

        guard let lowerBound else { return nil }
        // The lower bound committed (this transaction read one of its versions) but
        // its index entry for `key` is missing: a crash after the commit point. Repair it.
        if let record = try engine.record(lowerBound.stamp.transaction), record.status == .committed {
            try engine.store.indexCommit(record)
            explanation.repairedIndex = true
        }
        explanation.candidates.append(.init(stamp: lowerBound.stamp, outcome: .chosen))
        return lowerBound.stamp
    }

    /// Checks a candidate `k@Tc`: valid unless `Tc` wrote a key this transaction read at an older version.
    private func validate(
        _ stamp: CommitStamp, record: TransactionRecord?, reading key: Key, in transaction: Transaction
    ) -> ReadExplanation.Outcome {
        // Readers never trust the index over the record.
        // An lww transaction indexes each write under a stamp of its own, so its record holds only the last one.
        guard let record, record.status == .committed, record.stamp == stamp || record.mode == LastWriterWins.name else {
            return .notCommitted
        }
        for written in record.writeSet where written != key {
            guard let readVersion = transaction.readSet[written] else { continue }
            if isOlder(readVersion, than: stamp) {
                return .fractured(key: written, readVersion: readVersion)
            }
        }
        return .chosen
    }

    /// The newest version in the read set whose transaction also wrote `key`.
    func lowerBound(of key: Key, in transaction: Transaction) throws(AftError) -> (stamp: CommitStamp, readKey: Key)? {
        let stamps = transaction.readSet.compactMap { entry -> (Key, CommitStamp)? in
            guard let stamp = entry.value else { return nil }
            return (entry.key, stamp)
        }
        guard !stamps.isEmpty else { return nil }
        let records = try transaction.engine.records(stamps.map(\.1.transaction))
        var bound: (stamp: CommitStamp, readKey: Key)?
        for (readKey, stamp) in stamps {
            guard let record = records[stamp.transaction], record.writeSet.contains(key) else { continue }
            if bound == nil || stamp > bound!.stamp {
                bound = (stamp, readKey)
            }
        }
        return bound
    }

    /// Fetches the contents of `key@stamp`; a missing version means garbage collection removed it.
    private func value(of key: Key, at stamp: CommitStamp, in transaction: Transaction) throws(AftError) -> VersionValue {
        if let cached = transaction.readValues[key] { return cached }
        let id = VersionID(key: key, transaction: stamp.transaction)
        guard let contents = try transaction.engine.store.readVersions([id])[id] else {
            throw AftError(.retryableAbort, "version \(Escaping.quoted(key.string))@\(stamp.transaction.short) that this transaction needs was garbage-collected; run the transaction again")
        }
        transaction.readValues[key] = contents
        return contents
    }

    // MARK: Writing

    public func write(_ contents: VersionValue, to key: Key, in transaction: Transaction) throws(AftError) {
        guard transaction.isRegistered else {
            transaction.writeBuffer[key] = contents
            return
        }
        // Check that no other process committed or aborted the transaction before staging,
        // because a staged write after that would replace a committed version or leave an orphan.
        try transaction.saveRegistration()
        try transaction.storeVersions([Version(key: key, transaction: transaction.id, contents: contents)])
    }

    // MARK: Committing

    public func commit(_ transaction: Transaction) throws(AftError) -> CommitOutcome {
        let engine = transaction.engine
        try engine.faults.reach(.commitBeforeVersions)

        // Step 1: every version reaches storage before the record that makes them visible.
        if !transaction.isRegistered {
            let versions = transaction.writeSet.compactMap { key in
                transaction.writeBuffer[key].map { Version(key: key, transaction: transaction.id, contents: $0) }
            }
            try transaction.storeVersions(versions)
        }

        // Step 2: the transaction record, a single atomic write, is the commit point.
        let stamp = CommitStamp(timestamp: engine.clock.next(above: transaction.newestStampRead), transaction: transaction.id)
        let record = try writeCommitRecord(for: transaction, stamp: stamp)
        var outcome = CommitOutcome(transaction: transaction.id, stamp: record.writeSet.isEmpty ? nil : stamp, writeSet: record.writeSet, alreadyCommitted: false)
        // Past the commit point a failure must not abort the transaction, because its record
        // is committed. Its versions stay in place, so recovery can index them later.
        transaction.state = .committed(outcome)

        // Step 3: index the versions and log the commit; a reader repairs this step if a crash skips it.
        do throws(AftError) {
            try engine.faults.reach(.commitAfterRecord)
            if !record.writeSet.isEmpty {
                try engine.store.indexCommit(record)
            }
            try engine.faults.reach(.commitAfterIndex)
        } catch {
            // A simulated crash ends the node here, as a real one would.
            if engine.faults.hasCrashed { throw error }
            // Reporting this as an abort would invite a retry that applies the writes twice.
            outcome.warning = "transaction \(transaction.id.short) is committed, but indexing it failed (\(error.message)); readers that need it repair the index, and 'aft recover' repairs it for all"
            transaction.state = .committed(outcome)
        }
        return outcome
    }

    private func writeCommitRecord(for transaction: Transaction, stamp: CommitStamp) throws(AftError) -> TransactionRecord {
        let engine = transaction.engine
        guard let registration = transaction.registration else {
            let record = TransactionRecord(
                id: transaction.id, status: .committed, mode: name, stamp: stamp, writeSet: transaction.writeSet,
                readSet: transaction.readSet, startTime: stamp.timestamp, node: engine.node)
            // A read-only transaction of one process leaves nothing in storage.
            guard !record.writeSet.isEmpty else { return record }
            if let existing = try engine.store.insertRecord(record) {
                throw AftError(.failed, "transaction id \(existing.id.short) already has a \(existing.status.rawValue) record; run the transaction again")
            }
            return record
        }
        var record = registration
        record.status = .committed
        record.stamp = stamp
        record.readSet = transaction.readSet
        record.writeSet = transaction.writeSet
        record.leaseExpiry = 0
        try transaction.replaceRegistration(with: record)
        return transaction.registration ?? record
    }

    // MARK: Aborting

    public func abort(_ transaction: Transaction, reason: String) throws(AftError) {
        transaction.writeBuffer.removeAll()
        guard var record = transaction.registration else {
            // A failed commit may have stored some versions; nothing references them, so they only cost space.
            if transaction.versionsWritten > 0 {
                try? transaction.engine.store.deleteVersions(transaction.writeSet.map { VersionID(key: $0, transaction: transaction.id) })
            }
            return
        }
        record.status = .aborted
        record.abortReason = reason
        record.leaseExpiry = 0
        try transaction.replaceRegistration(with: record)
        let staged = transaction.writeSet.map { VersionID(key: $0, transaction: transaction.id) }
        if !staged.isEmpty {
            try transaction.engine.store.deleteVersions(staged)
        }
    }
}
