import AftEngine

/// `aft show ID`: prints one transaction's record and the values it wrote.
enum ShowCommand: Command {
    static let spec = CommandSpec(
        name: "show", arguments: "ID",
        summary: "Show a transaction: status, stamp, the keys it wrote with their values, and what it read.",
        discussion: ["ID may be any unique prefix of the id, as printed by 'aft begin' or 'aft log'."],
        examples: ["aft show 3f2a"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        guard invocation.positionals.count == 1 else {
            throw invocation.usageError("show takes one transaction ID, got \(invocation.positionals.count)")
        }
        let engine = try context.engine()
        let id = try engine.resolveTransaction(prefix: invocation.positionals[0].text)
        guard let record = try engine.store.readRecords([id])[id] else {
            throw AftError(.failed, "no transaction \(id.hex); list transactions with 'aft log'")
        }
        let values = try engine.store.readVersions(record.writeSet.map { VersionID(key: $0, transaction: id) })
        let reads = record.readSet.sorted { $0.key < $1.key }

        if context.format == .json {
            printJSON(record, values: values, reads: reads, context: context)
            return
        }
        var lines = [
            "transaction  \(id.hex)",
            "status       \(record.status.rawValue)\(record.abortReason.map { " (\($0))" } ?? "")",
            "mode         \(record.mode)",
        ]
        if let stamp = record.stamp {
            lines.append("committed    \(Formatting.time(stamp.timestamp))  (stamp \(stamp.text))")
        }
        lines.append("started      \(Formatting.time(record.startTime)) on \(record.node)")
        if record.status == .running && record.leaseExpiry > 0 {
            lines.append("lease until  \(Formatting.time(record.leaseExpiry))")
        }
        lines.append("writes       \(record.writeSet.count)")
        for key in record.writeSet {
            let shown: String = switch values[VersionID(key: key, transaction: id)] {
            case .value(let bytes): Escaping.token(bytes)
            case .tombstone: "(deleted)"
            case nil: record.status == .aborted ? "(discarded)" : "(value garbage-collected)"
            }
            lines.append("  \(Escaping.token(key.string)) = \(shown)")
        }
        lines.append("reads        \(reads.count)")
        for (key, stamp) in reads {
            lines.append("  \(Formatting.version(key, stamp))")
        }
        for line in lines {
            context.output.line(line)
        }
    }

    private static func printJSON(
        _ record: TransactionRecord, values: [VersionID: VersionValue], reads: [(key: Key, value: CommitStamp?)], context: Context
    ) {
        let writes: [JSONValue] = record.writeSet.map { key in
            var fields: [(String, JSONValue)] = [("key", .string(key.string))]
            let contents = values[VersionID(key: key, transaction: record.id)]
            fields.append(("deleted", .bool(contents == .tombstone)))
            if let bytes = contents?.bytes { fields += Formatting.jsonValueFields(bytes) }
            return .object(fields)
        }
        let readEntries: [JSONValue] = reads.map { .object([("key", .string($0.key.string)), ("version", Formatting.jsonStamp($0.value))]) }
        context.json([
            ("transaction", .string(record.id.hex)), ("status", .string(record.status.rawValue)),
            ("mode", .string(record.mode)), ("stamp", Formatting.jsonStamp(record.stamp)),
            ("start_time", .string(Formatting.isoTime(record.startTime))), ("node", .string(record.node)),
            ("abort_reason", record.abortReason.map { .string($0) } ?? .null),
            ("writes", .array(writes)), ("reads", .array(readEntries)),
        ])
    }
}
