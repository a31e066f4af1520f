import AftEngine
import FoundationEssentials
import Glibc

/// `aft log`: lists committed transactions.
enum LogCommand: Command {
    static let spec = CommandSpec(
        name: "log",
        summary: "List committed transactions, newest first.",
        discussion: ["With --follow, prints the last N commits oldest first and then each new commit as it lands, until interrupted."],
        options: [
            OptionSpec("limit", short: "n", value: "N", help: "Show at most N transactions. Default: all, or 10 with --follow."),
            OptionSpec("follow", short: "f", help: "Keep printing new commits as they land."),
            OptionSpec("running", help: "List running transactions started with 'aft begin', 'aft run' or the shell instead, with their lease."),
        ],
        examples: ["aft log -n 20", "aft log --follow", "aft log --json | jq .keys"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        guard invocation.positionals.isEmpty else {
            throw invocation.usageError("log takes no arguments, but got \(Escaping.quoted(invocation.positionals[0].bytes))")
        }
        let engine = try context.engine()
        let limit = try LimitOption.parse(invocation)
        if invocation.flag("running") {
            try listRunning(engine: engine, limit: limit ?? Int.max, context: context)
            return
        }
        if invocation.flag("follow") {
            try follow(engine: engine, backlog: limit ?? 10, context: context)
            return
        }
        var remaining = limit ?? Int.max
        var cursor: CommitStamp?
        var shown = Set<TransactionID>()
        while remaining > 0 {
            let page = try engine.store.logStamps(olderThan: cursor, limit: min(remaining, 200))
            guard let last = page.last else { break }
            remaining -= try print(page, engine: engine, context: context, shown: &shown)
            cursor = last
        }
    }

    /// Lists running registered transactions in id order, which garbage collection waits for.
    private static func listRunning(engine: Engine, limit: Int, context: Context) throws(AftError) {
        var cursor: TransactionID?
        var shown = 0
        while shown < limit {
            let page = try engine.store.records(after: cursor, limit: 500)
            guard let last = page.last else { break }
            for record in page where record.status == .running && shown < limit {
                shown += 1
                if context.format == .json {
                    context.json([
                        ("transaction", .string(record.id.hex)), ("status", .string("running")), ("mode", .string(record.mode)),
                        ("start_time", .string(Formatting.isoTime(record.startTime))), ("node", .string(record.node)),
                        ("lease_expiry", .string(Formatting.isoTime(record.leaseExpiry))),
                        ("keys", .array(record.writeSet.map { .string($0.string) })),
                    ])
                } else {
                    let keys = record.writeSet.isEmpty ? "no writes yet" : Formatting.keyList(record.writeSet)
                    context.output.line("\(Formatting.time(record.startTime))  \(record.id.short)  running on \(record.node), lease until \(Formatting.time(record.leaseExpiry))  \(keys)")
                }
            }
            cursor = last.id
        }
    }

    private static func follow(engine: Engine, backlog: Int, context: Context) throws(AftError) {
        var cursor = try engine.store.logStamps(olderThan: nil, limit: backlog + 1).dropFirst(backlog).first
        var shown = Set<TransactionID>()
        while true {
            let page = try engine.store.logStamps(newerThan: cursor, limit: 200)
            if let last = page.last {
                _ = try print(page, engine: engine, context: context, shown: &shown)
                context.output.flush()
                cursor = last
            } else {
                Pause.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Prints each transaction once and returns how many it printed. An lww transaction
    /// has one log entry per write, so `shown` skips all but the first met.
    private static func print(
        _ stamps: [CommitStamp], engine: Engine, context: Context, shown: inout Set<TransactionID>
    ) throws(AftError) -> Int {
        let records = try engine.records(stamps.map(\.transaction))
        var printed = 0
        for stamp in stamps where shown.insert(stamp.transaction).inserted {
            printed += 1
            let record = records[stamp.transaction]
            let keys = record?.writeSet ?? []
            if context.format == .json {
                context.json([
                    ("transaction", .string(stamp.transaction.hex)), ("stamp", .string(stamp.text)),
                    ("time", .string(Formatting.isoTime(stamp.timestamp))), ("mode", record.map { .string($0.mode) } ?? .null),
                    ("keys", .array(keys.map { .string($0.string) })),
                ])
            } else {
                let mode = record?.mode == ReadAtomic.name ? "" : "  [\(record?.mode ?? "no record")]"
                context.output.line("\(Formatting.time(stamp.timestamp))  \(stamp.transaction.short)  \(Formatting.keyList(keys))\(mode)")
            }
        }
        return printed
    }
}
