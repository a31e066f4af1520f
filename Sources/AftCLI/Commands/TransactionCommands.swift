import AftEngine

/// `aft begin`: registers a transaction that later commands continue with `-t ID`.
enum BeginCommand: Command {
    static let spec = CommandSpec(
        name: "begin",
        summary: "Start a transaction that spans processes and print its id.",
        discussion: [
            "Prints the id alone on standard output, so tx=$(aft begin) works. Pass it to get, put and del with -t ID or $AFT_TXN; their writes are staged in storage and stay invisible until 'aft commit ID'.",
            "The transaction holds a lease of one hour that each command renews; once it expires the transaction may be aborted.",
        ],
        examples: ["tx=$(aft begin)", "aft --consistency lww begin"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        guard invocation.positionals.isEmpty else {
            throw invocation.usageError("begin takes no arguments, but got \(Escaping.quoted(invocation.positionals[0].bytes))")
        }
        let transaction = try context.engine().beginRegistered(mode: context.options.mode)
        if context.format == .json {
            context.json([("transaction", .string(transaction.id.hex)), ("mode", .string(transaction.mode.name))])
        } else {
            context.output.line(transaction.id.hex)
        }
    }
}

/// `aft commit [ID]`: commits a registered transaction.
enum CommitCommand: Command {
    static let spec = CommandSpec(
        name: "commit", arguments: "[ID]",
        summary: "Commit a transaction started with 'aft begin', making its writes visible together.",
        discussion: [
            "The id comes from the argument, -t ID or $AFT_TXN, and may be any unique prefix. Committing a transaction that is already committed changes nothing and reports the first outcome; committing an aborted one exits with status 75.",
        ],
        options: [SharedOptions.transaction],
        examples: ["aft commit 3f2a91c0", "AFT_TXN=$tx aft commit"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        let id = try TransactionArgument.resolve(invocation, context: context)
        let outcome = try context.engine().commit(id)
        WriteReporter.report(outcome, context: context)
    }
}

/// `aft abort [ID]`: aborts a registered transaction and deletes its staged writes.
enum AbortCommand: Command {
    static let spec = CommandSpec(
        name: "abort", arguments: "[ID]",
        summary: "Abort a transaction started with 'aft begin' and delete its staged writes.",
        discussion: ["Aborting an aborted transaction is a no-op; aborting a committed one fails with status 1."],
        options: [SharedOptions.transaction],
        examples: ["aft abort 3f2a91c0"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        let id = try TransactionArgument.resolve(invocation, context: context)
        let engine = try context.engine()
        let wasAborted = try engine.store.readRecords([id])[id]?.status == .aborted
        _ = try engine.abort(id)
        if context.format == .json {
            context.json([("status", .string(wasAborted ? "already-aborted" : "aborted")), ("transaction", .string(id.hex))])
        } else {
            context.status("\(wasAborted ? "already aborted" : "aborted") \(id.short)")
        }
    }
}

/// Resolves the one transaction id a command names by argument, `-t` or `$AFT_TXN`.
enum TransactionArgument {
    static func resolve(_ invocation: Invocation, context: Context) throws(AftError) -> TransactionID {
        if invocation.positionals.count > 1 {
            throw invocation.usageError("expected one transaction id, got \(invocation.positionals.count)")
        }
        if let argument = invocation.positionals.first {
            if invocation.value("transaction") != nil {
                throw invocation.usageError("give the transaction id either as an argument or with -t, not both")
            }
            return try context.engine().resolveTransaction(prefix: argument.text)
        }
        guard let id = try context.transactionID(from: invocation) else {
            throw invocation.usageError("missing transaction id; give ID, -t ID or set AFT_TXN")
        }
        return id
    }
}
