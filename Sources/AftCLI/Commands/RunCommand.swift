import AftEngine
import AftStores

/// `aft run -- CMD…`: runs a command as a function in a transaction, with retries.
enum RunCommand: Command {
    static let spec = CommandSpec(
        name: "run", arguments: "-- CMD [ARG…]",
        summary: "Run a command as a function in a fresh transaction: commit when it exits 0, abort and retry otherwise.",
        discussion: [
            "Each attempt begins a registered transaction and runs CMD with AFT_TXN set to its id and AFT_STORE set to the store, so every aft get, put and del inside CMD joins it. Writes stay invisible until CMD exits with status 0 and the transaction commits; any other exit aborts the attempt, discards its writes and retries after a backoff that doubles each time.",
            "With --id KEY, the transaction ids derive from KEY, so running the same request again after it committed reports the first outcome and does not run CMD. Without --id, every run is a new request.",
            "Exits 0 when an attempt committed; 75 when every attempt failed and the last was killed, exited with 75 or failed to commit, so the request is safe to retry; 1 when the last attempt exited with another status; and 66 when CMD cannot be started. Each attempt's outcome is reported on standard error.",
        ],
        options: [
            OptionSpec("retries", value: "N", help: "Retry a failed attempt up to N times. Default: 3."),
            OptionSpec("backoff", value: "DURATION", help: "Wait this long before the first retry, doubling each time, as in 100ms or 2s. Default: 100ms."),
            OptionSpec("id", value: "KEY", help: "Idempotency key of the request: a request that committed once is not applied again."),
        ],
        examples: ["aft run -- ./transfer.sh alice bob 10", "aft run --id order-42 --retries 5 -- ./place-order.sh 42"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        guard !invocation.positionals.isEmpty else {
            throw invocation.usageError("missing command to run; write 'aft run -- CMD [ARG…]'")
        }
        let retries = try parseRetries(invocation)
        let backoff = try parseBackoff(invocation)
        let requestKey = invocation.value("id")?.text
        let engine = try context.engine()
        // By location, because the engine may wrap the store (for faults, or in the shell).
        guard engine.store.location != "memory:" else {
            throw AftError(.usage, "aft run needs a store that the command's own aft processes can open, and memory: lives in one process; use a SQLite path or a Redis URL")
        }

        var delay = backoff
        var lastFailure: ChildProcess.Termination?
        for number in 1...(retries + 1) {
            let transaction: Transaction
            if let requestKey {
                switch try engine.beginRequest(idempotencyKey: requestKey, mode: context.options.mode) {
                case .alreadyCommitted(let outcome):
                    context.errors.line("aft run: request \(Escaping.quoted(requestKey)) already committed as \(outcome.transaction.short); not running it again")
                    WriteReporter.report(outcome, context: context)
                    return
                case .run(let started):
                    transaction = started
                }
            } else {
                transaction = try engine.beginRegistered(mode: context.options.mode)
            }

            let outcome = try attempt(number, of: invocation, in: transaction, engine: engine, context: context, lastFailure: &lastFailure)
            if let outcome {
                WriteReporter.report(outcome, context: context)
                return
            }
            if number <= retries {
                context.errors.line("aft run: attempt \(number): retrying in \(delay)")
                context.errors.flush()
                Pause.sleep(for: delay)
                delay *= 2
            }
        }
        let attempts = Formatting.plural(retries + 1, "attempt")
        // A command that kept exiting with a status other than 75 is unlikely to succeed on
        // another try, so the exit status means "failed" rather than "safe to retry".
        if case .exited(let status) = lastFailure, status != AftError.Kind.retryableAbort.exitCode {
            throw AftError(.failed, "command exited with status \(status) in all \(attempts); nothing it wrote is visible")
        }
        throw AftError(.retryableAbort, "command failed in all \(attempts); nothing it wrote is visible, so it is safe to run again")
    }

    /// Runs one attempt; returns the commit outcome, or nil when the attempt aborted.
    private static func attempt(
        _ number: Int, of invocation: Invocation, in transaction: Transaction, engine: Engine, context: Context,
        lastFailure: inout ChildProcess.Termination?
    ) throws(AftError) -> CommitOutcome? {
        var environment = context.environment
        environment["AFT_TXN"] = transaction.id.hex
        environment["AFT_STORE"] = context.storeURL()
        environment["AFT_ATTEMPT"] = String(number)
        context.output.flush()
        context.errors.flush()

        let termination = try ChildProcess.run(invocation.positionals.map(\.bytes), environment: environment)
        guard termination.succeeded else {
            lastFailure = termination
            try? engine.abort(transaction.id)
            context.errors.line("aft run: attempt \(number): command \(termination.description); aborted \(transaction.id.short), its writes discarded")
            return nil
        }
        do throws(AftError) {
            let outcome = try engine.commit(transaction.id)
            context.errors.line("aft run: attempt \(number): command exited with status 0; committed \(transaction.id.short)")
            return outcome
        } catch where error.kind == .retryableAbort {
            lastFailure = nil
            context.errors.line("aft run: attempt \(number): commit failed: \(error.message)")
            return nil
        }
    }

    private static func parseRetries(_ invocation: Invocation) throws(AftError) -> Int {
        guard let text = invocation.value("retries")?.text else { return 3 }
        guard let retries = Int(text), (0...1000).contains(retries) else {
            throw invocation.usageError("invalid --retries \(Escaping.quoted(text)); give a whole number from 0 to 1000")
        }
        return retries
    }

    private static func parseBackoff(_ invocation: Invocation) throws(AftError) -> Duration {
        guard let text = invocation.value("backoff")?.text else { return .milliseconds(100) }
        guard let duration = DurationParser.parse(text) else {
            throw invocation.usageError("invalid --backoff \(Escaping.quoted(text)); give a duration such as 100ms, 2s or 1m")
        }
        return duration
    }
}
