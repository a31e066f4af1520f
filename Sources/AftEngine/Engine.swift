import FoundationEssentials
import Glibc

/// One aft node: a store, a stamp clock, a cache of immutable records and the armed faults.
///
/// Nodes never talk to each other; they meet only in storage. An engine and its
/// transactions belong to one thread at a time, like the store they wrap.
public final class Engine {
    public let store: any Store
    /// This node's name in transaction records, `host:pid`.
    public let node: String
    public let faults: FaultPlan
    /// How long a registered transaction may stay idle before it may be aborted.
    public var lease: Duration = .seconds(3600)
    /// How long garbage collection keeps superseded versions; a transaction of one
    /// process that runs longer aborts, because versions it may need can be gone.
    public var grace: Duration = .seconds(60)
    /// The largest value a write accepts, in bytes.
    public var maximumValueSize = 64 * 1024 * 1024

    var clock = StampClock()
    /// The maximum number of transaction records the cache keeps before it starts over.
    static let recordCacheLimit = 20_000
    private var recordCache: [TransactionID: TransactionRecord] = [:]

    public init(store: any Store, faults: FaultPlan = FaultPlan(), node: String? = nil) {
        self.store = faults.isEmpty ? store : FaultInjectingStore(store, faults: faults)
        self.faults = faults
        self.node = node ?? "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// Starts a transaction whose writes stay in this process until commit.
    public func begin(mode: any ConsistencyMode = ReadAtomic()) -> Transaction {
        Transaction(engine: self, id: TransactionID(), mode: mode, registration: nil)
    }

    /// Starts a transaction registered in storage, so that other processes can
    /// continue it by id; its writes are staged in storage, invisible until commit.
    public func beginRegistered(mode: any ConsistencyMode = ReadAtomic()) throws(AftError) -> Transaction {
        let record = runningRecord(id: TransactionID(), mode: mode)
        if try store.insertRecord(record) != nil {
            throw AftError(.failed, "transaction id \(record.id.hex) is already taken; run begin again")
        }
        return Transaction(engine: self, id: record.id, mode: mode, registration: record)
    }

    /// Continues a registered transaction by id, restoring its read and write sets from its record.
    public func resume(_ id: TransactionID) throws(AftError) -> Transaction {
        guard let record = try store.readRecords([id])[id] else {
            throw AftError(.failed, "no transaction \(id.hex); start one with 'aft begin'")
        }
        switch record.status {
        case .committed:
            throw AftError(.failed, "transaction \(id.short) is already committed; start a new one with 'aft begin'")
        case .aborted:
            throw AftError(.retryableAbort, "transaction \(id.short) was aborted (\(record.abortReason ?? "no reason given")); start a new one with 'aft begin'")
        case .running:
            break
        }
        guard let mode = ConsistencyModes.named(record.mode) else {
            throw AftError(.storeIO, "transaction \(id.short) has unknown consistency mode \(Escaping.quoted(record.mode)); upgrade aft")
        }
        let transaction = Transaction(engine: self, id: id, mode: mode, registration: record)
        if record.leaseExpiry > 0 && record.leaseExpiry < StampClock.now() {
            try? transaction.abort(reason: "its lease expired")
            throw AftError(.retryableAbort, "transaction \(id.short) was idle past its lease and is now aborted; start a new one with 'aft begin'")
        }
        return transaction
    }

    /// Finds the one transaction whose id starts with `prefix`, as git resolves abbreviated hashes.
    public func resolveTransaction(prefix: String) throws(AftError) -> TransactionID {
        let lowered = prefix.lowercased()
        guard !lowered.isEmpty, lowered.utf8.count <= 32, TransactionID.isHexadecimal(lowered) else {
            throw AftError(.invalidInput, "invalid transaction id \(Escaping.quoted(prefix)); give hexadecimal digits as printed by 'aft begin' or 'aft log'")
        }
        let matches = try store.transactionIDs(withPrefix: lowered, limit: 2)
        guard let first = matches.first else {
            throw AftError(.failed, "no transaction matches \(Escaping.quoted(prefix)); list transactions with 'aft log' or 'aft log --running'")
        }
        guard matches.count == 1 else {
            throw AftError(.failed, "transaction id \(Escaping.quoted(prefix)) is ambiguous: it matches \(matches.map(\.short).joined(separator: ", ")) and maybe more; give more digits")
        }
        return first
    }

    /// Reads records, serving immutable ones from the cache.
    public func records(_ ids: some Sequence<TransactionID>) throws(AftError) -> [TransactionID: TransactionRecord] {
        var found: [TransactionID: TransactionRecord] = [:]
        var missing: [TransactionID] = []
        for id in Set(ids) {
            if let cached = recordCache[id] {
                found[id] = cached
            } else {
                missing.append(id)
            }
        }
        guard !missing.isEmpty else { return found }
        // A long shell session or benchmark meets many transactions; dropping the whole
        // cache now and then bounds memory, and it refills from storage as needed.
        if recordCache.count > Engine.recordCacheLimit {
            recordCache.removeAll(keepingCapacity: true)
        }
        for (id, record) in try store.readRecords(missing) {
            found[id] = record
            if record.isFinal { recordCache[id] = record }
        }
        return found
    }

    public func record(_ id: TransactionID) throws(AftError) -> TransactionRecord? {
        try records([id])[id]
    }

    /// Commits a registered transaction by id; a transaction already committed reports its first outcome.
    public func commit(_ id: TransactionID) throws(AftError) -> CommitOutcome {
        guard let record = try store.readRecords([id])[id] else {
            throw AftError(.failed, "no transaction \(id.hex); start one with 'aft begin'")
        }
        switch record.status {
        case .committed:
            // A crash after the commit point may have skipped the index step, and this
            // outcome promises a visible commit, so repair it first.
            try repairIndex(of: record)
            return CommitOutcome(transaction: id, stamp: record.stamp, writeSet: record.writeSet, alreadyCommitted: true)
        case .aborted:
            throw AftError(.retryableAbort, "transaction \(id.short) was already aborted (\(record.abortReason ?? "no reason given")); nothing was committed, so run it again")
        case .running:
            return try resume(id).commit()
        }
    }

    /// Aborts a registered transaction by id; aborting an aborted one is a no-op.
    public func abort(_ id: TransactionID) throws(AftError) -> TransactionStatus {
        guard let record = try store.readRecords([id])[id] else {
            throw AftError(.failed, "no transaction \(id.hex); list transactions with 'aft log' or 'aft log --running'")
        }
        switch record.status {
        case .committed:
            throw AftError(.failed, "transaction \(id.short) is already committed and cannot be aborted")
        case .aborted:
            return .aborted
        case .running:
            let transaction = Transaction(engine: self, id: id, mode: ConsistencyModes.named(record.mode) ?? ReadAtomic(), registration: record)
            try transaction.abort()
            return .aborted
        }
    }

    func runningRecord(id: TransactionID, mode: any ConsistencyMode) -> TransactionRecord {
        let now = StampClock.now()
        return TransactionRecord(
            id: id, status: .running, mode: mode.name, startTime: now, node: node, leaseExpiry: leaseExpiry(from: now))
    }

    func leaseExpiry(from now: Int64) -> Int64 {
        now + Engine.nanoseconds(lease)
    }

    func checkValueSize(_ value: VersionValue, key: Key) throws(AftError) {
        guard let bytes = value.bytes, bytes.count > maximumValueSize else { return }
        throw AftError(.invalidInput, "value for key \(Escaping.quoted(key.string)) is \(bytes.count) bytes, over the maximum of \(maximumValueSize); store a smaller value or raise --max-value-size")
    }
}

/// The result of a commit.
public struct CommitOutcome: Sendable, Equatable {
    public let transaction: TransactionID
    /// The commit stamp; nil for a transaction that wrote nothing.
    public let stamp: CommitStamp?
    public let writeSet: [Key]
    /// True when the transaction had committed before this call.
    public let alreadyCommitted: Bool
    /// A problem after the commit point, which did not undo the commit.
    public var warning: String? = nil
}
