import AftEngine

/// `aft history KEY`: lists a key's committed versions, newest first.
enum HistoryCommand: Command {
    static let spec = CommandSpec(
        name: "history", arguments: "KEY",
        summary: "List the committed versions of KEY, newest first, with the keys each transaction wrote with it.",
        discussion: ["Staged writes of running transactions are not listed; 'aft show ID' lists those."],
        options: [OptionSpec("limit", short: "n", value: "N", help: "Show at most N versions. Default: all.")],
        examples: ["aft history balance:alice", "aft history -n 5 --json counter"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        guard invocation.positionals.count == 1 else {
            throw invocation.usageError("history takes one KEY, got \(invocation.positionals.count)")
        }
        let key = try Key(bytes: invocation.positionals[0].bytes)
        let limit = try LimitOption.parse(invocation)
        var remaining = limit ?? Int.max
        let engine = try context.engine()

        var cursor: CommitStamp?
        var shown = 0
        while remaining > 0 {
            let page = try engine.store.indexedStamps(of: key, olderThan: cursor, limit: min(remaining, 100))
            guard let last = page.last else { break }
            let records = try engine.records(page.map(\.transaction))
            let values = try engine.store.readVersions(page.map { VersionID(key: key, transaction: $0.transaction) })
            for stamp in page {
                let record = records[stamp.transaction]
                print(key: key, stamp: stamp, record: record, contents: values[VersionID(key: key, transaction: stamp.transaction)], context: context)
            }
            shown += page.count
            remaining -= page.count
            cursor = last
        }
        // With -n 0 no version was requested, so an empty listing does not mean the key has none.
        if shown == 0 && limit != 0 && context.format == .human {
            context.errors.line("note: key \(Escaping.quoted(key.string)) has no committed versions")
        }
    }

    private static func print(key: Key, stamp: CommitStamp, record: TransactionRecord?, contents: VersionValue?, context: Context) {
        let cowritten = (record?.writeSet ?? []).filter { $0 != key }
        if context.format == .json {
            var fields: [(String, JSONValue)] = [
                ("key", .string(key.string)), ("transaction", .string(stamp.transaction.hex)),
                ("stamp", .string(stamp.text)), ("time", .string(Formatting.isoTime(stamp.timestamp))),
                ("mode", record.map { .string($0.mode) } ?? .null),
                ("deleted", .bool(contents == .tombstone)),
            ]
            if let bytes = contents?.bytes { fields += Formatting.jsonValueFields(bytes) }
            fields.append(("cowritten", .array(cowritten.map { .string($0.string) })))
            context.json(fields)
            return
        }
        let shown: String = switch contents {
        case .value(let bytes): Escaping.token(bytes)
        case .tombstone: "(deleted)"
        case nil: "(value garbage-collected)"
        }
        var line = "\(Formatting.time(stamp.timestamp))  \(stamp.transaction.short)  \(shown)"
        if !cowritten.isEmpty { line += "  also wrote: \(Formatting.keyList(cowritten))" }
        context.output.line(line)
    }
}

/// Parses `-n N`.
enum LimitOption {
    static func parse(_ invocation: Invocation) throws(AftError) -> Int? {
        guard let text = invocation.value("limit")?.text else { return nil }
        guard let limit = Int(text), limit >= 0 else {
            throw invocation.usageError("invalid limit \(Escaping.quoted(text)); give a whole number of 0 or more")
        }
        return limit
    }
}
