@testable import AftEngine
import AftStores
import Testing

/// Makes a key from a literal, stopping the run when the literal is invalid, because that is a bug in the test.
func key(_ text: String) -> Key {
    do {
        return try Key(text)
    } catch {
        preconditionFailure("invalid key literal \(text) in a test: \(error)")
    }
}

func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// Decodes a value as UTF-8 text, keeping nil ("not found") as nil.
func text(_ value: [UInt8]?) -> String? {
    value.map { String(decoding: $0, as: UTF8.self) }
}

extension Transaction {
    /// Reads `key` and returns its value as text, or nil for "not found".
    func getText(_ name: String) throws -> String? {
        text(try get(key(name)).value)
    }

    /// Writes each pair in order, deleting the key when the value is nil.
    func write(_ writes: KeyValuePairs<String, String?>) throws {
        for (name, value) in writes {
            if let value {
                try put(key(name), bytes(value))
            } else {
                try delete(key(name))
            }
        }
    }
}

extension Engine {
    /// Runs one transaction that makes `writes` in order and commits it.
    @discardableResult
    func commitWrites(
        _ writes: KeyValuePairs<String, String?>, mode: any ConsistencyMode = ReadAtomic()
    ) throws -> CommitOutcome {
        let transaction = begin(mode: mode)
        try transaction.write(writes)
        return try transaction.commit()
    }

    /// Reads one key in a fresh transaction, as a one-shot `aft get` would.
    func readCommitted(_ name: String, mode: any ConsistencyMode = ReadAtomic()) throws -> String? {
        let transaction = begin(mode: mode)
        defer { try? transaction.abort() }
        return try transaction.getText(name)
    }

    /// Moves this node's stamp clock `offset` ahead of real time, as on a machine whose clock runs fast.
    func advanceClock(by offset: Duration) {
        let nanoseconds = offset.components.seconds * 1_000_000_000 + offset.components.attoseconds / 1_000_000_000
        _ = clock.next(above: CommitStamp(timestamp: StampClock.now() + nanoseconds, transaction: TransactionID()))
    }
}

/// The error a simulated crash throws in place of killing the test process.
let simulatedCrash = AftError(.failed, "simulated crash of this node")

/// Makes a fault plan whose `crash` action throws ``simulatedCrash`` instead of killing the process.
///
/// The test then drops the engine, as it would a dead node.
func crashingFaults(_ specs: String) throws -> FaultPlan {
    let plan = try FaultPlan(specs: specs)
    plan.crash = { () throws(AftError) in throw simulatedCrash }
    return plan
}

/// Lists the stamps in the version index of the key `name`, newest first.
func indexedStamps(of name: String, in store: any Store) throws -> [CommitStamp] {
    try store.indexedStamps(of: key(name), olderThan: nil, limit: 1000)
}

/// The null version `k@⊥` as a read-set entry, which stores it as a nil stamp.
let nullVersion: CommitStamp? = nil
