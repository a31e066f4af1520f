import AftEngine
import AftStores
import FoundationEssentials
import Glibc

/// The shape of output, from the global options.
enum OutputFormat: Equatable {
    /// Text for people: printable values as they are, others in the escape grammar.
    case human
    /// One JSON object per line, with stable field names.
    case json
    /// Value bytes exactly as stored.
    case raw
}

/// The global options every command shares.
struct GlobalOptions {
    static let specs: [OptionSpec] = [
        OptionSpec("store", value: "URL", help: "Store to use: \(StoreLocation.forms). Default: $AFT_STORE, else ~/.local/share/aft/aft.db."),
        OptionSpec("consistency", value: "MODE", help: "Consistency mode of new transactions: read-atomic (default) or lww, the baseline without aft."),
        OptionSpec("json", help: "Print one JSON object per line, with stable field names."),
        OptionSpec("raw", help: "Print value bytes exactly, with no newline or escaping."),
        OptionSpec("fault", value: "SPEC", help: "Arm a fault, such as write.after:1=crash or store.put=error@0.05; repeatable."),
        OptionSpec("max-value-size", value: "SIZE", help: "Reject values larger than SIZE bytes before writing anything; K, M and G suffixes multiply by 1024. Default: 64M."),
        OptionSpec("verbose", short: "v", help: "Log what aft does to standard error."),
        OptionSpec("quiet", short: "q", help: "Print only data: no status lines."),
        OptionSpec("help", short: "h", help: "Show help for aft or for the command."),
        OptionSpec("version", help: "Print aft's version."),
    ]

    var store: String?
    var mode: any ConsistencyMode = ReadAtomic()
    var format = OutputFormat.human
    var faults: [FaultRule] = []
    var verbose = false
    var quiet = false
    var maximumValueSize = 64 * 1024 * 1024

    init(_ invocation: Invocation, environment: [String: String]) throws(AftError) {
        store = invocation.value("store")?.text
        if let name = invocation.value("consistency")?.text {
            guard let mode = ConsistencyModes.named(name) else {
                throw invocation.usageError("unknown consistency mode \(Escaping.quoted(name)); use one of \(ConsistencyModes.names.joined(separator: ", "))")
            }
            self.mode = mode
        }
        if invocation.flag("json") && invocation.flag("raw") {
            throw invocation.usageError("--json and --raw cannot be combined; pick one")
        }
        format = invocation.flag("json") ? .json : invocation.flag("raw") ? .raw : .human
        let specs = (environment["AFT_FAULTS"].map { [$0] } ?? []) + invocation.values("fault").map(\.text)
        for spec in specs {
            faults += try FaultPlan(specs: spec).rules
        }
        if let text = invocation.value("max-value-size")?.text {
            guard let size = GlobalOptions.parseSize(text) else {
                throw invocation.usageError("invalid --max-value-size \(Escaping.quoted(text)); give a number of bytes, optionally with K, M or G, as in 16M")
            }
            maximumValueSize = size
        }
        verbose = invocation.flag("verbose")
        quiet = invocation.flag("quiet")
        if verbose && quiet {
            throw invocation.usageError("-v and -q cannot be combined; pick one")
        }
    }
}

extension GlobalOptions {
    /// Parses a byte count such as `512`, `64K` or `16M`.
    static func parseSize(_ text: String) -> Int? {
        let multipliers: [Character: Int] = ["K": 1024, "M": 1024 * 1024, "G": 1024 * 1024 * 1024]
        guard let last = text.uppercased().last else { return nil }
        let multiplier = multipliers[last] ?? 1
        let digits = multipliers[last] == nil ? text : String(text.dropLast())
        guard let number = Int(digits), number >= 0 else { return nil }
        let (size, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : size
    }
}

/// The surroundings of a running command: options, streams, environment and the store.
final class Context {
    let options: GlobalOptions
    let environment: [String: String]
    let output: OutputStream
    let errors: OutputStream
    private var openedEngine: Engine?
    /// The shell session this command runs in, when it came from `aft shell`. Its node and
    /// its current transaction take the place of a fresh engine and of `$AFT_TXN`.
    var session: ShellSession?
    /// The exit status of a command that reported its own failures, as a script of shell commands does.
    var exitStatus: Int32 = 0

    init(options: GlobalOptions, environment: [String: String], output: OutputStream, errors: OutputStream) {
        self.options = options
        self.environment = environment
        self.output = output
        self.errors = errors
    }

    var format: OutputFormat { options.format }

    /// Returns the engine over the chosen store, opening it on first use.
    func engine() throws(AftError) -> Engine {
        if let session {
            // The shell's node outlives this command, so each command sets its own limit.
            let engine = try session.engine()
            engine.maximumValueSize = options.maximumValueSize
            return engine
        }
        if let openedEngine { return openedEngine }
        let engine = Engine(store: try openStore(), faults: FaultPlan(rules: options.faults))
        engine.maximumValueSize = options.maximumValueSize
        openedEngine = engine
        return engine
    }

    /// Opens the store that --store, `$AFT_STORE` or the default names.
    func openStore() throws(AftError) -> any Store {
        let location: StoreLocation
        let isDefault: Bool
        if let url = options.store {
            location = try StoreLocation(parsing: url)
            isDefault = false
        } else {
            location = try StoreLocation.defaultLocation(environment: environment)
            isDefault = environment["AFT_STORE"]?.isEmpty ?? true
        }
        let store = try location.open(createDirectory: isDefault)
        log("opened store \(store.location)")
        return store
    }

    /// Writes a debug line to standard error when -v is given.
    func log(_ message: String) {
        guard options.verbose else { return }
        errors.line("aft: \(message)")
        // Flushed at once, so the log survives a crash that kills the process.
        errors.flush()
    }

    /// Writes a status line, such as "committed 3f2a91c0", unless -q is given.
    func status(_ message: String) {
        guard !options.quiet else { return }
        output.line(message)
    }

    /// Writes a warning to standard error.
    func warn(_ message: String) {
        errors.line("warning: \(message)")
    }

    func json(_ fields: [(String, JSONValue)]) {
        output.line(JSONValue.object(fields).text)
    }

    /// Resolves the transaction named by `-t ID` or else `$AFT_TXN`, if any. In the shell, a
    /// transaction open there that `-t NAME` names, or else the current one, comes first.
    func transactionID(from invocation: Invocation) throws(AftError) -> TransactionID? {
        if let id = session?.transactionID(from: invocation) { return id }
        let given = invocation.value("transaction")?.text ?? environment["AFT_TXN"].flatMap { $0.isEmpty ? nil : $0 }
        guard let given else { return nil }
        return try engine().resolveTransaction(prefix: given)
    }
}
