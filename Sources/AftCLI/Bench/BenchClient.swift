import AftEngine
import AftStores
import Dispatch

/// The measurements of one client in one mode.
struct ClientResult: Sendable {
    var latencies: [Duration] = []
    var history: [HistoryTransaction] = []
    var committed = 0
    var aborted = 0
    var errors: [String] = []
}

/// One benchmark client: its own store connection and engine, running requests in a loop.
struct BenchClient {
    let location: StoreLocation
    let workload: Workload
    let mode: any ConsistencyMode
    let faultRules: [FaultRule]
    let seed: UInt64

    /// Runs requests until `shouldStop` returns true. `completed` counts finished requests for the progress line.
    func run(shouldStop: () -> Bool, completed: () -> Void) -> ClientResult {
        var result = ClientResult()
        var generator = BenchRandom(seed: seed)
        let sampler = ZipfSampler(count: workload.keyCount, exponent: workload.zipfExponent)
        var engine: Engine
        do throws(AftError) {
            engine = try makeEngine()
        } catch {
            result.errors.append(error.message)
            return result
        }

        while !shouldStop() {
            let started = ContinuousClock.now
            let transaction = engine.begin(mode: mode)
            var record = HistoryTransaction(transaction: transaction.id.hex, status: .aborted, stamp: nil, mode: mode.name, operations: [])
            do throws(AftError) {
                try runRequest(transaction, record: &record, sampler: sampler, generator: &generator)
                let outcome = try transaction.commit()
                record.status = .committed
                record.stamp = outcome.stamp?.text ?? CommitStamp(timestamp: StampClock.now(), transaction: transaction.id).text
                result.committed += 1
                result.latencies.append(ContinuousClock.now - started)
            } catch {
                result.aborted += 1
                if engine.faults.hasCrashed {
                    // The node died: its memory is gone, and a new node takes over this client.
                    if let fresh = try? makeEngine() { engine = fresh }
                } else if result.errors.count < 5 {
                    result.errors.append(error.message)
                }
                try? transaction.abort(reason: error.message)
            }
            result.history.append(record)
            completed()
        }
        return result
    }

    private func runRequest(
        _ transaction: Transaction, record: inout HistoryTransaction, sampler: ZipfSampler, generator: inout BenchRandom
    ) throws(AftError) {
        for _ in 0..<workload.functions {
            for _ in 0..<workload.readsPerFunction {
                let name = workload.keyName(sampler.next(using: &generator))
                let result = try transaction.get(Key(trusted: name))
                let writer = result.value.flatMap(Workload.writer(of:))
                record.operations.append(.read(name, writer: writer))
            }
            for _ in 0..<workload.writesPerFunction {
                let name = workload.keyName(sampler.next(using: &generator))
                try transaction.put(Key(trusted: name), workload.value(writtenBy: transaction.id))
                record.operations.append(.write(name))
            }
        }
    }

    private func makeEngine() throws(AftError) -> Engine {
        let plan = FaultPlan(rules: faultRules)
        // A crash ends this client's node, not the benchmark process.
        plan.crash = { () throws(AftError) in
            throw AftError(.retryableAbort, "injected crash of a benchmark node")
        }
        let store: any Store
        if case .sqlite(let path) = location {
            // Many clients in one process commit often; fsync at every commit would measure the disk, not aft.
            store = try SQLiteStore(path: path, durable: false)
        } else {
            store = try location.open()
        }
        return Engine(store: store, faults: plan)
    }
}

/// SplitMix64, so a run replays from its seed.
struct BenchRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
