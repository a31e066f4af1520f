import AftEngine

/// `aft check FILE`: verifies a recorded history for anomalies.
enum CheckCommand: Command {
    static let spec = CommandSpec(
        name: "check", arguments: "FILE",
        summary: "Check a recorded history for dirty, fractured, read-your-writes and repeatable-read anomalies.",
        discussion: [
            "FILE holds JSON lines as 'aft bench --record' writes them, or - for standard input: one transaction per line with its status, commit stamp and its reads and writes in order, where each read names the transaction that wrote the value it returned. The check uses only the file, never a store, and names each offending transaction. Exits 0 when the history is clean and 1 when it finds anomalies.",
        ],
        options: [OptionSpec("limit", short: "n", value: "N", help: "List at most N anomalies. Default: 20.")],
        examples: ["aft bench --mode read-atomic --record history.jsonl && aft check history.jsonl"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        guard invocation.positionals.count == 1 else {
            throw invocation.usageError("check takes one FILE, got \(invocation.positionals.count)")
        }
        let (name, source) = try InputFile.read(argument: invocation.positionals[0])
        let history = try HistoryFile.decode(source, name: name)
        let limit = try LimitOption.parse(invocation) ?? 20

        let anomalies = HistoryChecker(history).anomalies()
        var counts: [HistoryChecker.Kind: Int] = [:]
        for anomaly in anomalies {
            counts[anomaly.kind, default: 0] += 1
        }
        let committed = history.filter { $0.status == .committed }.count

        if context.format == .json {
            for anomaly in anomalies.prefix(limit) {
                context.json([
                    ("kind", .string(anomaly.kind.rawValue)), ("transaction", .string(anomaly.transaction)),
                    ("mode", anomaly.mode.map { .string($0) } ?? .null), ("detail", .string(anomaly.detail)),
                ])
            }
            context.json([
                ("transactions", .integer(history.count)), ("committed", .integer(committed)),
                ("anomalies", .object(HistoryChecker.Kind.allCases.map { ($0.rawValue, .integer(counts[$0] ?? 0)) })),
            ])
        } else {
            for anomaly in anomalies.prefix(limit) {
                let mode = anomaly.mode.map { "  \($0)" } ?? ""
                context.output.line("\(anomaly.kind.rawValue)\(mode)  \(anomaly.transaction.prefix(TransactionID.shortLength))  \(anomaly.detail)")
            }
            if anomalies.count > limit {
                context.output.line("… and \(anomalies.count - limit) more")
            }
            let summary = HistoryChecker.Kind.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
            context.output.line("checked \(Formatting.plural(history.count, "transaction")) (\(committed) committed): \(summary)")
        }
        if !anomalies.isEmpty {
            let noun = anomalies.count == 1 ? "anomaly" : "anomalies"
            throw AftError(.failed, "the history has \(anomalies.count) \(noun); the lines above name each transaction")
        }
    }
}
