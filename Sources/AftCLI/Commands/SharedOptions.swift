import AftEngine

/// Options that several commands share.
enum SharedOptions {
    static let transaction = OptionSpec(
        "transaction", short: "t", value: "ID",
        help: "Work inside the registered transaction ID (any unique prefix), as started by 'aft begin'. Default: $AFT_TXN.")
}

extension Command {
    /// Parses every positional argument as a key.
    static func keys(_ invocation: Invocation, atLeastOne noun: String = "KEY") throws(AftError) -> [Key] {
        guard !invocation.positionals.isEmpty else {
            throw invocation.usageError("missing \(noun); give at least one key")
        }
        var keys: [Key] = []
        for argument in invocation.positionals {
            keys.append(try Key(bytes: argument.bytes))
        }
        return keys
    }

    /// Runs `body` in the shell's open transaction that `-t` names or that is current, else in
    /// the registered transaction named by `-t`/`$AFT_TXN`, else in a new transaction that
    /// commits when `body` returns. Returns the outcome of that commit.
    static func withTransaction(
        _ invocation: Invocation, context: Context, _ body: (Transaction) throws(AftError) -> Void
    ) throws(AftError) -> (transaction: Transaction, outcome: CommitOutcome?) {
        let engine = try context.engine()
        if let open = context.session?.transaction(for: invocation) {
            try body(open)
            return (open, nil)
        }
        if let id = try context.transactionID(from: invocation) {
            let transaction: Transaction
            do throws(AftError) {
                transaction = try engine.resume(id)
            } catch {
                guard invocation.value("transaction") == nil, context.session == nil else { throw error }
                throw AftError(error.kind, "\(error.message) (the id came from AFT_TXN; unset AFT_TXN to run the command on its own)")
            }
            context.log("continuing transaction \(id.hex) (\(transaction.mode.name))")
            try body(transaction)
            return (transaction, nil)
        }
        let transaction = engine.begin(mode: context.options.mode)
        context.session?.noteOneShot(transaction)
        context.log("began transaction \(transaction.id.hex) (\(transaction.mode.name))")
        do {
            try body(transaction)
        } catch {
            try? transaction.abort(reason: error.message)
            throw error
        }
        return (transaction, try transaction.commit())
    }
}
