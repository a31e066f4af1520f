import AftEngine
import AftStores
import FoundationEssentials
import Glibc

/// `aft bench`: the published workload in read-atomic and lww side by side.
enum BenchCommand: Command {
    static let spec = CommandSpec(
        name: "bench",
        summary: "Run the published benchmark workload in read-atomic and lww side by side, and count anomalies.",
        discussion: [
            "Each request is one transaction of F functions, each doing R reads and W writes of V-byte values over K keys chosen with a Zipf(θ) skew. C client threads run requests for a duration or a count, first in read-atomic, then in lww, on the same store. The summary gives throughput, p50 and p99 latency, and anomalies by kind, found by an independent check of the recorded history: dirty reads, fractured reads, read-your-writes and repeatable-read violations.",
            "Without --store, the benchmark uses a new temporary SQLite file and deletes it afterwards; with --store, the bench:N keys it writes stay in that store, so point it at a scratch store. Benchmark clients open SQLite without fsync at commit, so the numbers measure aft rather than the disk; both modes are measured the same way. Injected crashes end a client's node, which a new one replaces.",
        ],
        options: [
            OptionSpec("functions", short: "F", value: "N", help: "Functions per request. Default: 2."),
            OptionSpec("reads", short: "R", value: "N", help: "Reads per function. Default: 2."),
            OptionSpec("writes", short: "W", value: "N", help: "Writes per function. Default: 1."),
            OptionSpec("value-size", short: "V", value: "BYTES", help: "Size of each written value in bytes. Default: 4096."),
            OptionSpec("keys", short: "K", value: "N", help: "Number of distinct keys. Default: 1000."),
            OptionSpec("zipf", value: "THETA", help: "Zipf skew of the key choice; 0 is uniform. Default: 1.0."),
            OptionSpec("clients", short: "c", value: "N", help: "Concurrent client threads. Default: 4."),
            OptionSpec("duration", short: "d", value: "DURATION", help: "How long each mode runs, as in 10s. Default: 5s."),
            OptionSpec("requests", value: "N", help: "Requests per client in each mode, instead of --duration."),
            OptionSpec("mode", value: "MODE", help: "Run only this mode: read-atomic or lww. Default: both."),
            OptionSpec("seed", value: "N", help: "Seed of the key choice, so a run can be repeated. Default: random."),
            OptionSpec("record", value: "FILE", help: "Write every transaction's reads and writes as JSON lines, for 'aft check'."),
            OptionSpec("plot", value: "FILE", help: "Draw throughput, latency and anomalies per mode as an SVG chart in FILE."),
            OptionSpec("processes", help: "Run each client as a separate aft process, with a node of its own, instead of a thread."),
            OptionSpec("worker", help: "Run as one client of --processes and print its history as JSON lines; aft passes this itself."),
        ],
        examples: ["aft bench", "aft bench -c 10 --requests 1000", "aft bench --fault store.put=crash@0.01 --record history.jsonl"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        guard invocation.positionals.isEmpty else {
            throw invocation.usageError("bench takes no arguments, but got \(Escaping.quoted(invocation.positionals[0].bytes))")
        }
        let workload = try parseWorkload(invocation)
        let clients = try integer(invocation, "clients", default: 4, range: 1...1024)
        let limit = try parseLimit(invocation)
        let modes = try parseModes(invocation, context: context)
        let seed = try invocation.value("seed").map { argument throws(AftError) -> UInt64 in
            guard let seed = UInt64(argument.text) else {
                throw invocation.usageError("invalid --seed \(Escaping.quoted(argument.text)); give a whole number")
            }
            return seed
        } ?? UInt64.random(in: 0...UInt64.max)

        if invocation.flag("worker") {
            guard let url = context.options.store, let mode = modes.first, modes.count == 1 else {
                throw invocation.usageError("--worker needs --store and --mode; it is started by 'aft bench --processes'")
            }
            let run = BenchRun(location: try StoreLocation(parsing: url), workload: workload, clients: 1, limit: limit, faultRules: context.options.faults, seed: seed)
            run.runWorker(mode: mode, context: context)
            return
        }

        let (location, temporaryDirectory) = try benchStore(context: context, clients: clients)
        defer {
            if let temporaryDirectory { try? FileManager.default.removeItem(atPath: temporaryDirectory) }
        }
        context.log("bench store \(location), seed \(seed)")

        let run = BenchRun(location: location, workload: workload, clients: clients, limit: limit, faultRules: context.options.faults, seed: seed)
        var results: [ModeResult] = []
        for mode in modes {
            if invocation.flag("processes") {
                let workers = BenchWorkers(run: run, workerArguments: workerArguments(location: location, workload: workload, limit: limit, context: context), environment: context.environment)
                results.append(try workers.run(mode: mode))
                continue
            }
            let progress = ProgressLine(context: context)
            let result = run.run(mode: mode) { completed in
                progress.show("bench: \(mode.name): \(completed) requests")
            }
            progress.finish()
            results.append(result)
        }

        if let path = invocation.value("record")?.text {
            try writeHistory(results, to: path)
        }
        if let path = invocation.value("plot")?.text {
            let title = "aft bench: F=\(workload.functions) R=\(workload.readsPerFunction) W=\(workload.writesPerFunction) V=\(workload.valueSize) K=\(workload.keyCount) zipf=\(workload.zipfExponent), \(clients) clients"
            try writeFile(Array(BenchPlot.svg(results, title: title).utf8), to: path, what: "chart")
        }
        BenchReport.print(results, workload: workload, clients: clients, seed: seed, context: context)
        for result in results {
            for message in Set(result.errors).sorted().prefix(3) {
                context.warn("\(result.mode): \(message)")
            }
        }
    }

    /// Builds the arguments that start one worker process with this run's store, workload, limit and faults.
    private static func workerArguments(location: StoreLocation, workload: Workload, limit: BenchRun.Limit, context: Context) -> [String] {
        let url: String = switch location {
        case .sqlite(let path): "sqlite:" + path
        case .redis(let url), .redisCluster(let url): url
        case .memory: "memory:"
        }
        var arguments = ["--store", url]
        for rule in context.options.faults {
            arguments += ["--fault", rule.description]
        }
        arguments += [
            "bench", "--worker", "-F", String(workload.functions), "-R", String(workload.readsPerFunction),
            "-W", String(workload.writesPerFunction), "-V", String(workload.valueSize), "-K", String(workload.keyCount),
            "--zipf", String(workload.zipfExponent),
        ]
        switch limit {
        case .requests(let count): arguments += ["--requests", String(count)]
        case .duration(let duration): arguments += ["--duration", "\(Engine.nanoseconds(duration))ns"]
        }
        return arguments
    }

    private static func parseWorkload(_ invocation: Invocation) throws(AftError) -> Workload {
        var workload = Workload()
        workload.functions = try integer(invocation, "functions", default: workload.functions, range: 1...1000)
        workload.readsPerFunction = try integer(invocation, "reads", default: workload.readsPerFunction, range: 0...1000)
        workload.writesPerFunction = try integer(invocation, "writes", default: workload.writesPerFunction, range: 0...1000)
        workload.valueSize = try integer(invocation, "value-size", default: workload.valueSize, range: 33...(64 * 1024 * 1024))
        workload.keyCount = try integer(invocation, "keys", default: workload.keyCount, range: 1...10_000_000)
        if let text = invocation.value("zipf")?.text {
            guard let exponent = Double(text), exponent >= 0, exponent.isFinite else {
                throw invocation.usageError("invalid --zipf \(Escaping.quoted(text)); give a number of 0 or more, as in 1.0")
            }
            workload.zipfExponent = exponent
        }
        return workload
    }

    private static func integer(_ invocation: Invocation, _ name: String, default fallback: Int, range: ClosedRange<Int>) throws(AftError) -> Int {
        guard let text = invocation.value(name)?.text else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw invocation.usageError("invalid --\(name) \(Escaping.quoted(text)); give a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    private static func parseLimit(_ invocation: Invocation) throws(AftError) -> BenchRun.Limit {
        if invocation.value("requests") != nil {
            guard invocation.value("duration") == nil else {
                throw invocation.usageError("give --duration or --requests, not both")
            }
            return .requests(try integer(invocation, "requests", default: 100, range: 1...100_000_000))
        }
        guard let text = invocation.value("duration")?.text else { return .duration(.seconds(5)) }
        guard let duration = DurationParser.parse(text), duration > .zero else {
            throw invocation.usageError("invalid --duration \(Escaping.quoted(text)); give a duration such as 10s or 1m")
        }
        return .duration(duration)
    }

    private static func parseModes(_ invocation: Invocation, context: Context) throws(AftError) -> [any ConsistencyMode] {
        guard let name = invocation.value("mode")?.text else { return ConsistencyModes.all }
        guard let mode = ConsistencyModes.named(name) else {
            throw invocation.usageError("unknown mode \(Escaping.quoted(name)); use one of \(ConsistencyModes.names.joined(separator: ", "))")
        }
        return [mode]
    }

    /// Picks the store to benchmark: --store as given, else a new temporary SQLite file.
    private static func benchStore(context: Context, clients: Int) throws(AftError) -> (StoreLocation, String?) {
        if let url = context.options.store {
            let location = try StoreLocation(parsing: url)
            if location == .memory && clients > 1 {
                throw AftError(.usage, "memory: is one process's memory and cannot be shared by \(clients) clients; use -c 1 or a SQLite file")
            }
            return (location, nil)
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aft-bench-\(UUID().uuidString)").path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw AftError(.unreachable, "cannot create a temporary directory for the benchmark store: \(error); pass --store")
        }
        let location = StoreLocation.sqlite(path: Paths.join(directory, "bench.db"))
        // Create the schema once, before the clients race to do it.
        _ = try location.open()
        return (location, directory)
    }

    private static func writeHistory(_ results: [ModeResult], to path: String) throws(AftError) {
        var text = ""
        for result in results {
            for transaction in result.history {
                text += HistoryFile.encode(transaction) + "\n"
            }
        }
        try writeFile(Array(text.utf8), to: path, what: "history file")
    }

    private static func writeFile(_ bytes: [UInt8], to path: String, what: String) throws(AftError) {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw AftError(.missingInput, "cannot write \(what) \(Escaping.quoted(path)); check that its directory exists and is writable")
        }
    }
}
