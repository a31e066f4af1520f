/// Idempotent requests: every retry of one request maps to the same transaction ids,
/// so a request that committed once is never applied again.
extension Engine {
    /// The start of a request's transaction.
    public enum RequestStart {
        /// A transaction to run the request in.
        case run(Transaction)
        /// An earlier attempt of this request committed; nothing may run again.
        case alreadyCommitted(CommitOutcome)
    }

    /// The maximum number of generations a request may use up, so a broken store cannot loop forever.
    static let maximumRequestGenerations = 10_000

    /// Begins, or takes over, the registered transaction of the request named by `idempotencyKey`.
    ///
    /// A request's transactions are generations 0, 1, 2, … with ids derived from the
    /// key. An attempt that fails aborts its generation, which is final, and the next
    /// attempt moves on to the next one. The first generation that is not aborted
    /// decides: committed means the request is done, running means an attempt died
    /// and this one aborts it, and absent means a new generation starts.
    ///
    /// At most one generation commits, because a generation is created only after
    /// the one before it is aborted. That holds only while aborted records are kept,
    /// so garbage collection must never delete them.
    public func beginRequest(idempotencyKey: String, mode: any ConsistencyMode = ReadAtomic()) throws(AftError) -> RequestStart {
        for generation in 0..<Engine.maximumRequestGenerations {
            let id = TransactionID(idempotencyKey: "\(idempotencyKey)#\(generation)")
            let existing = try store.insertRecord(runningRecord(id: id, mode: mode))
            guard let existing else {
                return .run(try resume(id))
            }
            switch existing.status {
            case .aborted:
                continue
            case .committed:
                // A crash after the commit point may have skipped the index step, and the
                // outcome reported here promises a visible commit.
                try repairIndex(of: existing)
                return .alreadyCommitted(CommitOutcome(transaction: id, stamp: existing.stamp, writeSet: existing.writeSet, alreadyCommitted: true))
            case .running:
                // An attempt that died left this generation running; its staged writes
                // are discarded with it, and the next generation starts clean.
                do throws(AftError) {
                    _ = try abort(id)
                } catch {
                    // The attempt was alive after all and committed first.
                    guard let now = try store.readRecords([id])[id], now.status == .committed else { throw error }
                    try repairIndex(of: now)
                    return .alreadyCommitted(CommitOutcome(transaction: id, stamp: now.stamp, writeSet: now.writeSet, alreadyCommitted: true))
                }
                continue
            }
        }
        throw AftError(.failed, "request \(Escaping.quoted(idempotencyKey)) has aborted \(Engine.maximumRequestGenerations) times; use a new --id")
    }
}
