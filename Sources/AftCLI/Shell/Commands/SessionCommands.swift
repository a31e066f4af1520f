import AftEngine

/// `begin [NAME]` in the shell: opens a named, registered transaction and makes it current.
enum ShellBeginCommand: Command {
    static let spec = CommandSpec(
        name: "begin", arguments: "[NAME]",
        summary: "Open a named transaction and make it current; with the name of an open one, switch to it.",
        discussion: [
            "The transaction is registered in the store, as 'aft begin' registers one: its writes are staged invisibly until commit, it holds a lease of one hour that each of its commands renews, and garbage collection keeps the versions it may read. Without NAME the shell picks t1, t2, and so on.",
            "While a transaction is current, get, put, del and txn act in it, and the prompt shows its name, how many keys it has read and written, and whether it has aborted. --consistency sets its mode.",
        ],
        examples: ["begin t1", "begin --consistency lww t2"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        let session = try context.shellSession(for: spec)
        guard invocation.positionals.count <= 1 else {
            throw invocation.usageError("begin takes at most one NAME, got \(invocation.positionals.count)")
        }
        if let name = invocation.positionals.first?.text, session.openTransaction(named: name) != nil {
            session.use(name)
            return
        }
        let name = try invocation.positionals.first.map { argument throws(AftError) in try TransactionName.validate(argument, invocation: invocation) }
            ?? session.generateName()
        let entry = try session.begin(name: name, mode: context.options.mode)
        let transaction = entry.transaction
        if context.format == .json {
            context.json([("name", .string(name)), ("transaction", .string(transaction.id.hex)), ("mode", .string(transaction.mode.name))])
        } else {
            context.status("began \(name) (\(transaction.id.short), \(transaction.mode.name))")
        }
    }
}

/// `use [NAME]`: switches the current transaction.
enum UseCommand: Command {
    static let spec = CommandSpec(
        name: "use", arguments: "[NAME]",
        summary: "Make the open transaction NAME current; without NAME, run later commands each in a transaction of its own.",
        discussion: ["Transactions that are not current stay open, so several can be played step by step, interleaved."],
        examples: ["use t2", "use"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        let session = try context.shellSession(for: spec)
        guard invocation.positionals.count <= 1 else {
            throw invocation.usageError("use takes at most one NAME, got \(invocation.positionals.count)")
        }
        guard let name = invocation.positionals.first?.text else {
            session.use(nil)
            return
        }
        guard let entry = session.lookUp(name) else {
            throw TransactionName.notOpen(name, session: session)
        }
        session.use(entry.name)
    }
}

/// `commit [NAME | ID]` in the shell.
enum ShellCommitCommand: Command {
    static let spec = CommandSpec(
        name: "commit", arguments: "[NAME | ID]",
        summary: "Commit the current transaction, or the one named, making its writes visible together.",
        discussion: [
            "NAME is a transaction open in this shell. Any other argument is taken as the id, or a unique prefix of it, of a registered transaction, as 'aft commit ID' takes it; that reaches transactions that a crash of this shell's node left running.",
            "A transaction that committed or aborted leaves the shell's list, and no transaction is current afterwards.",
        ],
        options: [SharedOptions.transaction],
        examples: ["commit", "commit t2", "commit 3f2a91c0"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        let session = try context.shellSession(for: spec)
        switch try TransactionName.target(invocation, context: context, session: session) {
        case .open(let entry):
            let outcome: CommitOutcome
            do throws(AftError) {
                outcome = try entry.transaction.commit()
            } catch {
                // A failed commit aborts the transaction, so it leaves the list; an error before that leaves it open.
                if !entry.transaction.isActive { session.close(entry.name) }
                throw error
            }
            session.close(entry.name)
            report(outcome, name: entry.name, context: context)
        case .stored(let id):
            WriteReporter.report(try context.engine().commit(id), context: context)
        }
    }

    private static func report(_ outcome: CommitOutcome, name: String, context: Context) {
        guard context.format == .human else {
            WriteReporter.report(outcome, context: context)
            return
        }
        context.status("committed \(name) (\(outcome.transaction.short), \(Formatting.plural(outcome.writeSet.count, "key")))")
        if let warning = outcome.warning {
            context.warn(warning)
        }
    }
}

/// `abort [NAME | ID]` in the shell.
enum ShellAbortCommand: Command {
    static let spec = CommandSpec(
        name: "abort", arguments: "[NAME | ID]",
        summary: "Abort the current transaction, or the one named, and delete its staged writes.",
        discussion: [
            "NAME is a transaction open in this shell; any other argument is taken as a transaction id, as 'aft abort ID' takes it. In lww mode the writes were visible at once and stay visible.",
        ],
        options: [SharedOptions.transaction],
        examples: ["abort", "abort t1"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        let session = try context.shellSession(for: spec)
        switch try TransactionName.target(invocation, context: context, session: session) {
        case .open(let entry):
            do throws(AftError) {
                try entry.transaction.abort(reason: "aborted in the shell")
            } catch {
                if !entry.transaction.isActive { session.close(entry.name) }
                throw error
            }
            session.close(entry.name)
            if context.format == .json {
                context.json([("status", .string("aborted")), ("name", .string(entry.name)), ("transaction", .string(entry.transaction.id.hex))])
            } else {
                context.status("aborted \(entry.name) (\(entry.transaction.id.short))")
            }
        case .stored(let id):
            _ = try context.engine().abort(id)
            if context.format == .json {
                context.json([("status", .string("aborted")), ("transaction", .string(id.hex))])
            } else {
                context.status("aborted \(id.short)")
            }
        }
    }
}

/// `transactions`: lists the shell's open transactions.
enum TransactionsCommand: Command {
    static let spec = CommandSpec(
        name: "transactions",
        summary: "List the transactions open in this shell; * marks the current one.",
        examples: ["transactions"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        let session = try context.shellSession(for: spec)
        guard invocation.positionals.isEmpty else {
            throw invocation.usageError("transactions takes no arguments, but got \(Escaping.quoted(invocation.positionals[0].bytes))")
        }
        if session.open.isEmpty && context.format == .human {
            context.status("no open transactions; open one with 'begin NAME'")
            return
        }
        let width = session.open.map(\.name.count).max() ?? 0
        for entry in session.open {
            let transaction = entry.transaction
            let isCurrent = entry.name == session.currentName
            if context.format == .json {
                context.json([
                    ("name", .string(entry.name)), ("transaction", .string(transaction.id.hex)),
                    ("mode", .string(transaction.mode.name)), ("current", .bool(isCurrent)),
                    ("reads", .integer(transaction.readSet.count)), ("writes", .integer(transaction.writeSet.count)),
                    ("state", .string(TransactionName.stateText(transaction))),
                ])
                continue
            }
            let padding = String(repeating: " ", count: width - entry.name.count)
            var line = "\(isCurrent ? "*" : " ") \(entry.name)\(padding)  \(transaction.id.short)  \(transaction.mode.name)"
            line += "  \(Formatting.plural(transaction.readSet.count, "read")), \(Formatting.plural(transaction.writeSet.count, "write"))"
            if !transaction.isActive { line += "  \(TransactionName.stateText(transaction))" }
            context.output.line(line)
        }
    }
}

/// Names of shell transactions: checking new ones and resolving the one a command means.
enum TransactionName {
    enum Target {
        case open(ShellSession.OpenTransaction)
        /// A registered transaction that is not open in this shell, by id.
        case stored(TransactionID)
    }

    static let maximumLength = 32

    /// Accepts names of letters, digits and `_ - . :` that start with a letter, so they read as one token and never as an option.
    static func validate(_ argument: Argument, invocation: Invocation) throws(AftError) -> String {
        let name = argument.text
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.:".unicodeScalars.contains($0)) }
        guard let first = name.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic, allowed, name.count <= maximumLength else {
            throw invocation.usageError("invalid transaction name \(Escaping.quoted(argument.bytes)); use up to \(maximumLength) ASCII letters, digits, '_', '-', '.' or ':', starting with a letter, as in t1")
        }
        return name
    }

    /// The transaction a command names by argument or -t, or else the current one.
    static func target(_ invocation: Invocation, context: Context, session: ShellSession) throws(AftError) -> Target {
        if invocation.positionals.count > 1 {
            throw invocation.usageError("expected one transaction NAME or ID, got \(invocation.positionals.count)")
        }
        if invocation.positionals.first != nil && invocation.value("transaction") != nil {
            throw invocation.usageError("give the transaction either as an argument or with -t, not both")
        }
        guard let text = invocation.positionals.first?.text ?? invocation.value("transaction")?.text else {
            guard let current = session.current else {
                throw invocation.usageError("no transaction is current; give a NAME or ID, or open one with 'begin NAME'")
            }
            return .open(current)
        }
        if let entry = session.lookUp(text) {
            return .open(entry)
        }
        guard text.allSatisfy(\.isHexDigit) else {
            throw notOpen(text, session: session)
        }
        return .stored(try context.engine().resolveTransaction(prefix: text))
    }

    static func notOpen(_ name: String, session: ShellSession) -> AftError {
        let open = session.open.map(\.name)
        let hint = open.isEmpty ? "none is open; open one with 'begin \(name)'" : "open ones: \(open.joined(separator: ", "))"
        return AftError(.failed, "no open transaction named \(Escaping.quoted(name)); \(hint)")
    }

    static func stateText(_ transaction: Transaction) -> String {
        switch transaction.state {
        case .active: "active"
        case .committed: "committed"
        case .aborted(let reason): "aborted (\(reason))"
        }
    }
}

extension Context {
    /// The shell session, or a usage error for a command that only the shell offers.
    func shellSession(for spec: CommandSpec) throws(AftError) -> ShellSession {
        guard let session else {
            throw AftError(.usage, "'\(spec.name)' works only inside the shell; start it with 'aft shell'")
        }
        return session
    }
}
