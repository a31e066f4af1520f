import AftEngine

/// `explain`: why the last read returned the version it did.
enum ExplainCommand: Command {
    static let spec = CommandSpec(
        name: "explain",
        summary: "Show why the last read chose its version: each candidate considered and the rule that decided it.",
        discussion: [
            "Explains the last read of the current transaction, or, with none current, the last read of a command that ran in a transaction of its own. 'get --explain KEY' shows the same for each key it reads.",
        ],
        examples: ["get y", "explain"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        let session = try context.shellSession(for: spec)
        guard invocation.positionals.isEmpty else {
            throw invocation.usageError("explain takes no arguments; it explains the last read, so run 'get \(Escaping.token(invocation.positionals[0].bytes))' first")
        }
        let transaction = session.current?.transaction ?? session.lastOneShot
        guard let transaction, let explanation = transaction.lastExplanation else {
            let place = session.current.map { "in \($0.name) " } ?? ""
            throw AftError(.failed, "nothing to explain: no read \(place)yet; run 'get KEY' first")
        }

        let key = explanation.key
        // After a read, the read set contains the version it returned, and an own write has none.
        let version: CommitStamp? = explanation.source == .ownWrite ? nil : (transaction.readSet[key] ?? nil)
        var deleted = false
        if let version {
            let id = VersionID(key: key, transaction: version.transaction)
            deleted = try context.engine().store.readVersions([id])[id] == .tombstone
        }

        if context.format == .json {
            context.json([
                ("key", .string(key.string)), ("transaction", .string(transaction.id.hex)),
                ("version", Formatting.jsonStamp(version)), ("explain", ExplainFormatter.json(explanation)),
            ])
            return
        }
        for line in ExplainFormatter.lines(explanation, version: version, deleted: deleted) {
            context.output.line(line)
        }
    }
}

/// `timeline KEY…`: each key's versions across transactions, as a small diagram.
enum TimelineCommand: Command {
    static let spec = CommandSpec(
        name: "timeline", arguments: "KEY…",
        summary: "Draw each KEY's committed versions across transactions, oldest first, marking what the current transaction read and wrote.",
        discussion: [
            "Each row is a key and each column a transaction, in commit order after the null version ⊥, so keys that one transaction wrote together line up in its column. Writes staged by transactions open in this shell follow in columns of their own. A cell shows the value written; (read) marks the version the current transaction read, (written) its own writes, and (staged) the writes of other open transactions, which nobody else can see yet.",
        ],
        options: [OptionSpec("limit", short: "n", value: "N", help: "Show each key's N newest committed versions. Default: 8.")],
        examples: ["timeline x y", "timeline -n 3 balance:alice balance:bob"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        let session = try context.shellSession(for: spec)
        let keys = try keys(invocation)
        let limit = try LimitOption.parse(invocation) ?? 8
        let timeline = try Timeline.build(keys: keys, limit: limit, session: session, engine: context.engine())
        if context.format == .json {
            for row in timeline.jsonRows() {
                context.json(row)
            }
            return
        }
        for line in timeline.lines() {
            context.output.line(line)
        }
    }
}
