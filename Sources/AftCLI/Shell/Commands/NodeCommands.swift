import AftEngine

/// `fault [SPEC… | clear]`: arms, lists or disarms faults on the shell's node.
enum FaultCommand: Command {
    static let spec = CommandSpec(
        name: "fault", arguments: "[SPEC… | clear]",
        summary: "Arm faults on this shell's node, list the armed ones, or disarm them all with 'clear'.",
        discussion: [
            "A SPEC is POINT=ACTION, as for --fault: points commit.before-versions, write.after:N, commit.after-record, commit.after-index, store.get, store.put, store.delete and store.scan; actions crash, error and delay=DURATION; @P fires with probability P and #N on the Nth hit only.",
            "In the shell, a crash action crashes the node as the 'crash' command does, instead of killing the process: the command fails with status 75, and storage stays as the crash left it. The new node starts with no faults armed.",
        ],
        examples: ["fault write.after:1=crash", "fault store.put=error#2", "fault", "fault clear"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        let session = try context.shellSession(for: spec)
        let specs = invocation.positionals.map(\.text)
        _ = try context.engine()
        guard let node = session.node else { return }

        if specs == ["clear"] {
            let count = node.faults.rules.count
            node.faults.disarmAll()
            context.status("disarmed \(Formatting.plural(count, "fault"))")
            return
        }
        if specs.isEmpty {
            if node.faults.rules.isEmpty {
                context.status("no faults armed; arm one with 'fault POINT=ACTION'")
            }
            for rule in node.faults.rules {
                if context.format == .json {
                    context.json([("fault", .string(rule.description))])
                } else {
                    context.output.line(rule.description)
                }
            }
            return
        }
        // Every spec is checked before any is armed, so a typo arms nothing.
        var rules: [FaultRule] = []
        for spec in specs {
            rules.append(try FaultRule(spec: spec))
        }
        for rule in rules {
            node.faults.arm(rule)
            context.status("armed \(rule)")
        }
    }
}

/// `crash`: simulates a crash of the shell's node.
enum CrashCommand: Command {
    static let spec = CommandSpec(
        name: "crash",
        summary: "Simulate a crash of this shell's node: open transactions, caches and faults are lost, storage stays as it is.",
        discussion: [
            "A new node, with a new name, continues over the same store, as a restarted process would. Transactions that were open stay running in storage, holding back garbage collection, until their leases expire or someone commits or aborts them by id.",
        ],
        examples: ["crash", "commit 3f2a91c0"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        let session = try context.shellSession(for: spec)
        guard invocation.positionals.isEmpty else {
            throw invocation.usageError("crash takes no arguments, but got \(Escaping.quoted(invocation.positionals[0].bytes))")
        }
        _ = try context.engine()
        let report = session.crash()
        if context.format == .json {
            context.json([
                ("old_node", report.oldNode.map { .string($0) } ?? .null), ("new_node", report.newNode.map { .string($0) } ?? .null),
                ("dropped", .array(report.dropped.map { .object([("name", .string($0.name)), ("transaction", .string($0.transaction.id.hex))]) })),
            ])
        } else {
            context.status("crashed: \(report.summary)")
        }
    }
}

/// `exit`: leaves the shell.
enum ExitCommand: Command {
    static let spec = CommandSpec(
        name: "exit",
        summary: "Leave the shell, as Ctrl-D does; transactions still open are listed and stay running in storage.")

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        let session = try context.shellSession(for: spec)
        guard invocation.positionals.isEmpty else {
            throw invocation.usageError("exit takes no arguments, but got \(Escaping.quoted(invocation.positionals[0].bytes))")
        }
        session.wantsExit = true
    }
}

/// `quit`: the same as `exit`.
enum QuitCommand: Command {
    static let spec = CommandSpec(name: "quit", summary: "Leave the shell; the same as exit.")

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        try ExitCommand.run(invocation, context: context)
    }
}
