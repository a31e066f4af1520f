import AftEngine
import AftStores
import Dispatch
import Synchronization

/// The outcome of one mode's run: every client's results merged.
struct ModeResult: Sendable {
    let mode: String
    let elapsed: Duration
    var committed = 0
    var aborted = 0
    var latencies: [Duration] = []
    var history: [HistoryTransaction] = []
    var errors: [String] = []
    var anomalies: [HistoryChecker.Kind: Int] = [:]

    var throughput: Double {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return seconds > 0 ? Double(committed) / seconds : 0
    }

    func percentile(_ fraction: Double) -> Duration? {
        guard !latencies.isEmpty else { return nil }
        let sorted = latencies.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction + 0.5))]
    }
}

/// Runs the clients of one mode in parallel threads and gathers their results.
struct BenchRun {
    let location: StoreLocation
    let workload: Workload
    let clients: Int
    let limit: Limit
    let faultRules: [FaultRule]
    let seed: UInt64

    enum Limit: Sendable {
        case duration(Duration)
        /// Requests per client.
        case requests(Int)
    }

    func run(mode: any ConsistencyMode, progress: (Int) -> Void) -> ModeResult {
        let completed = Atomic<Int>(0)
        let results = Mutex<[ClientResult]>([])
        let group = DispatchGroup()
        let started = ContinuousClock.now
        let deadline: ContinuousClock.Instant? = if case .duration(let duration) = limit { started + duration } else { nil }
        let perClient: Int? = if case .requests(let count) = limit { count } else { nil }

        for index in 0..<clients {
            let client = BenchClient(location: location, workload: workload, mode: mode, faultRules: faultRules, seed: seed &+ UInt64(index) &* 0x9E37_79B9)
            DispatchQueue.global().async(group: group) {
                var done = 0
                let result = client.run(
                    shouldStop: {
                        if let perClient { return done >= perClient }
                        return ContinuousClock.now >= deadline!
                    },
                    completed: {
                        done += 1
                        completed.add(1, ordering: .relaxed)
                    })
                results.withLock { $0.append(result) }
            }
        }
        while group.wait(timeout: .now() + .milliseconds(200)) == .timedOut {
            progress(completed.load(ordering: .relaxed))
        }

        var merged = ModeResult(mode: mode.name, elapsed: ContinuousClock.now - started)
        for result in results.withLock({ $0 }) {
            merged.committed += result.committed
            merged.aborted += result.aborted
            merged.latencies += result.latencies
            merged.history += result.history
            merged.errors += result.errors
        }
        for anomaly in HistoryChecker(merged.history).anomalies() {
            merged.anomalies[anomaly.kind, default: 0] += 1
        }
        return merged
    }
}
