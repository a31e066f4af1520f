import AftEngine

/// `aft stats`: counts what the store holds.
enum StatsCommand: Command {
    static let spec = CommandSpec(
        name: "stats",
        summary: "Count the store's keys, versions, index entries and transactions by status.",
        examples: ["aft stats", "aft stats --json"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        guard invocation.positionals.isEmpty else {
            throw invocation.usageError("stats takes no arguments, but got \(Escaping.quoted(invocation.positionals[0].bytes))")
        }
        let engine = try context.engine()
        let stats = try engine.store.statistics()
        let committed = stats.transactionsByStatus[.committed] ?? 0
        let running = stats.transactionsByStatus[.running] ?? 0
        let aborted = stats.transactionsByStatus[.aborted] ?? 0

        if context.format == .json {
            context.json([
                ("store", .string(engine.store.location)), ("size_bytes", stats.sizeInBytes.map { .integer($0) } ?? .null),
                ("keys", .integer(stats.indexedKeys)), ("versions", .integer(stats.versions)),
                ("index_entries", .integer(stats.indexEntries)), ("log_entries", .integer(stats.logEntries)),
                ("transactions", .object([("committed", .integer(committed)), ("running", .integer(running)), ("aborted", .integer(aborted))])),
            ])
            return
        }
        var lines = ["store          \(engine.store.location)"]
        if let size = stats.sizeInBytes { lines.append("size           \(size) bytes") }
        lines += [
            "keys           \(stats.indexedKeys)",
            "versions       \(stats.versions)",
            "index entries  \(stats.indexEntries)",
            "commit log     \(stats.logEntries)",
            "transactions   \(committed) committed, \(running) running, \(aborted) aborted",
        ]
        for line in lines {
            context.output.line(line)
        }
    }
}
