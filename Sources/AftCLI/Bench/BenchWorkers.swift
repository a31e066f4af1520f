import AftEngine
import AftStores
import Dispatch
import FoundationEssentials
import Glibc
import Synchronization

/// The summary a worker process prints on its last line of output, after its history lines.
struct WorkerSummary: Codable {
    let latenciesNanoseconds: [Int64]
    let committed: Int
    let aborted: Int
    let errors: [String]
}

/// Runs benchmark clients as separate `aft bench --worker` processes, each with its own node.
struct BenchWorkers {
    let run: BenchRun
    /// The command line that starts one worker, without the mode and seed.
    let workerArguments: [String]
    let environment: [String: String]

    func run(mode: any ConsistencyMode) throws(AftError) -> ModeResult {
        let started = ContinuousClock.now
        var children: [(pid: pid_t, output: Int32)] = []
        for index in 0..<run.clients {
            let seed = run.seed &+ UInt64(index) &* 0x9E37_79B9
            let arguments = [CommandLine.arguments[0]] + workerArguments + ["--mode", mode.name, "--seed", String(seed)]
            children.append(try ChildProcess.spawnCapturingOutput(arguments.map { Array($0.utf8) }, environment: environment))
        }

        // Each pipe is drained on its own thread, so no child blocks on a full pipe.
        let outputs = Mutex<[Int: [UInt8]]>([:])
        let group = DispatchGroup()
        for (index, child) in children.enumerated() {
            let descriptor = child.output
            DispatchQueue.global().async(group: group) {
                let bytes = InputFile.readAll(descriptor: descriptor)
                close(descriptor)
                outputs.withLock { $0[index] = bytes }
            }
        }
        group.wait()

        var merged = ModeResult(mode: mode.name, elapsed: ContinuousClock.now - started)
        for (index, child) in children.enumerated() {
            let termination = ChildProcess.wait(for: child.pid)
            let output = outputs.withLock { $0[index] ?? [] }
            guard termination.succeeded else {
                merged.errors.append("worker \(index + 1) \(termination.description)")
                continue
            }
            try absorb(output, into: &merged)
        }
        for anomaly in HistoryChecker(merged.history).anomalies() {
            merged.anomalies[anomaly.kind, default: 0] += 1
        }
        return merged
    }

    private func absorb(_ output: [UInt8], into merged: inout ModeResult) throws(AftError) {
        var lines = output.split(separator: UInt8(ascii: "\n"))
        guard let last = lines.popLast(),
              let summary = try? JSONDecoder().decode(WorkerSummary.self, from: Data(last))
        else {
            throw AftError(.failed, "a benchmark worker printed no summary; run it with -v to see why")
        }
        merged.committed += summary.committed
        merged.aborted += summary.aborted
        merged.latencies += summary.latenciesNanoseconds.map { .nanoseconds($0) }
        merged.errors += summary.errors
        merged.history += try HistoryFile.decode(Array(lines.joined(separator: [UInt8(ascii: "\n")])), name: "worker output")
    }
}

extension BenchRun {
    /// Runs one client in this process and prints its history and summary, for `aft bench --worker`.
    func runWorker(mode: any ConsistencyMode, context: Context) {
        let client = BenchClient(location: location, workload: workload, mode: mode, faultRules: faultRules, seed: seed)
        let deadline: ContinuousClock.Instant? = if case .duration(let duration) = limit { .now + duration } else { nil }
        let perClient: Int? = if case .requests(let count) = limit { count } else { nil }
        var done = 0
        let result = client.run(
            shouldStop: { perClient.map { done >= $0 } ?? (ContinuousClock.now >= deadline!) },
            completed: { done += 1 })
        for transaction in result.history {
            context.output.line(HistoryFile.encode(transaction))
        }
        let summary = WorkerSummary(
            latenciesNanoseconds: result.latencies.map { Engine.nanoseconds($0) },
            committed: result.committed, aborted: result.aborted, errors: result.errors)
        if let data = try? JSONEncoder().encode(summary) {
            context.output.line(String(decoding: data, as: UTF8.self))
        }
    }
}
