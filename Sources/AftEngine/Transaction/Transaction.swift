/// A transaction: a read set, the writes it made and the mode that gives them meaning.
///
/// A transaction of one process buffers its writes until commit. A registered
/// transaction, which spans processes, stages each write in storage as an
/// invisible version and saves its read and write sets in its record after each
/// operation, so that the next process resumes exactly where this one stopped.
public final class Transaction {
    public enum State: Equatable, Sendable {
        case active
        case committed(CommitOutcome)
        case aborted(reason: String)
    }

    public let id: TransactionID
    public let mode: any ConsistencyMode
    public let engine: Engine
    public internal(set) var state: State = .active
    /// For each key read, the version returned; nil stands for the null version `k@⊥`.
    public internal(set) var readSet: [Key: CommitStamp?] = [:]
    /// Keys written, in the order first written.
    public internal(set) var writeSet: [Key] = []
    /// The explanation of the most recent read, for `get --explain` and the shell's `explain`.
    public internal(set) var lastExplanation: ReadExplanation?

    /// Buffered writes of an unregistered transaction.
    var writeBuffer: [Key: VersionValue] = [:]
    /// Values of versions already read, so a repeated read needs no store access.
    var readValues: [Key: VersionValue] = [:]
    /// The stored record of a registered transaction, as last saved.
    var registration: TransactionRecord?
    /// Versions of this transaction that reached storage, for the `write.after:N` fault.
    var versionsWritten = 0
    /// Nanoseconds since the epoch when this process began the transaction.
    let startTime = StampClock.now()

    init(engine: Engine, id: TransactionID, mode: any ConsistencyMode, registration: TransactionRecord?) {
        self.engine = engine
        self.id = id
        self.mode = mode
        self.registration = registration
        if let registration {
            readSet = registration.readSet
            writeSet = registration.writeSet
        }
    }

    public var isRegistered: Bool { registration != nil }
    public var isActive: Bool { state == .active }

    // MARK: Operations

    /// Reads `key`; a nil value means "not found".
    @discardableResult
    public func get(_ key: Key) throws(AftError) -> ReadResult {
        try checkActive()
        try checkGrace()
        let result = try mode.read(key, in: self)
        lastExplanation = result.explanation
        try saveRegistration()
        return result
    }

    public func put(_ key: Key, _ value: [UInt8]) throws(AftError) {
        try write(.value(value), to: key)
    }

    public func delete(_ key: Key) throws(AftError) {
        try write(.tombstone, to: key)
    }

    public func write(_ contents: VersionValue, to key: Key) throws(AftError) {
        try checkActive()
        try engine.checkValueSize(contents, key: key)
        try mode.write(contents, to: key, in: self)
        if !writeSet.contains(key) { writeSet.append(key) }
        try saveRegistration()
    }

    @discardableResult
    public func commit() throws(AftError) -> CommitOutcome {
        if case .committed(let outcome) = state { return outcome }
        try checkActive()
        do {
            let outcome = try mode.commit(self)
            state = .committed(outcome)
            return outcome
        } catch {
            // When another process committed this registered transaction first, this call is a retry of that commit.
            if case .committed(let outcome) = state, outcome.alreadyCommitted { return outcome }
            guard state == .active, !engine.faults.hasCrashed else { throw error }
            try? abort(reason: "commit failed: \(error.message)")
            // Before the commit point nothing is visible, and the caller needs to know that
            // the transaction is over, as when a store restarts in the middle of a commit.
            throw AftError(error.kind, "\(error.message); transaction \(id.short) is aborted and nothing it wrote is visible")
        }
    }

    public func abort(reason: String = "aborted by request") throws(AftError) {
        guard state == .active else { return }
        try mode.abort(self, reason: reason)
        state = .aborted(reason: reason)
    }

    // MARK: Helpers for consistency modes

    func checkActive() throws(AftError) {
        switch state {
        case .active: return
        case .committed: throw AftError(.failed, "transaction \(id.short) is already committed; start a new one")
        case .aborted(let reason): throw AftError(.retryableAbort, "transaction \(id.short) is aborted (\(reason)); start a new one")
        }
    }

    /// Aborts a transaction of one process that outlived the grace period, since
    /// garbage collection may have deleted versions it needs. Registered transactions
    /// hold garbage collection back through their record instead.
    func checkGrace() throws(AftError) {
        guard !isRegistered, StampClock.now() - startTime > Engine.nanoseconds(engine.grace) else { return }
        try? abort(reason: "it ran longer than the garbage-collection grace period")
        throw AftError(.retryableAbort, "transaction \(id.short) ran longer than the \(engine.grace) grace period, so versions it needs may be collected; run it again")
    }

    /// Records that a version of this transaction reached storage and reaches the `write.after:N` fault.
    func noteVersionsWritten(_ count: Int) throws(AftError) {
        for _ in 0..<count {
            versionsWritten += 1
            try engine.faults.reach(.writeAfter(versionsWritten))
        }
    }

    /// Writes versions to storage one at a time when a `write.after` fault is armed, so it stops at the right one.
    func storeVersions(_ versions: [Version]) throws(AftError) {
        let armsWriteFault = engine.faults.rules.contains {
            if case .writeAfter = $0.point { return true }
            return false
        }
        if armsWriteFault {
            for version in versions {
                try engine.store.writeVersions([version])
                try noteVersionsWritten(1)
            }
        } else if !versions.isEmpty {
            try engine.store.writeVersions(versions)
            try noteVersionsWritten(versions.count)
        }
    }

    /// The newest stamp in the read set, which the commit stamp must exceed.
    var newestStampRead: CommitStamp? {
        readSet.values.compactMap { $0 }.max()
    }

    /// Saves the read and write sets of a registered transaction with a compare-and-set on its record.
    func saveRegistration() throws(AftError) {
        guard var record = registration, state == .active else { return }
        record.readSet = readSet
        record.writeSet = writeSet
        try replaceRegistration(with: record)
    }

    /// Replaces the registered record, renewing the lease; fails when another process changed it first.
    func replaceRegistration(with newRecord: TransactionRecord) throws(AftError) {
        guard let current = registration else { return }
        var record = newRecord
        record.revision = current.revision + 1
        if record.status == .running {
            record.leaseExpiry = engine.leaseExpiry(from: StampClock.now())
        }
        switch try engine.store.replaceRecord(record, expectedRevision: current.revision) {
        case .replaced:
            registration = record
        case .missing:
            throw AftError(.retryableAbort, "transaction \(id.short) has no record any more; start a new one with 'aft begin'")
        case .conflict(let stored):
            registration = stored
            switch stored.status {
            case .committed:
                state = .committed(CommitOutcome(transaction: id, stamp: stored.stamp, writeSet: stored.writeSet, alreadyCommitted: true))
                throw AftError(.failed, "transaction \(id.short) was committed by another process meanwhile; start a new one")
            case .aborted:
                state = .aborted(reason: stored.abortReason ?? "aborted by another process")
                throw AftError(.retryableAbort, "transaction \(id.short) was aborted by another process (\(stored.abortReason ?? "no reason given")); start a new one")
            case .running:
                throw AftError(.retryableAbort, "transaction \(id.short) was changed by another process at the same time; repeat the command")
            }
        }
    }
}

/// The outcome of one read.
public struct ReadResult: Sendable, Equatable {
    public let key: Key
    /// The value read, or nil when the key has no visible value.
    public let value: [UInt8]?
    /// The version read: nil for the null version or the transaction's own write.
    public let version: CommitStamp?
    public let explanation: ReadExplanation
}
