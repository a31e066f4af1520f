import AftEngine
import AftStores
import FoundationEssentials

/// The state of one `aft shell`: its node over the store, the named transactions it
/// keeps open, and the settings every line shares.
///
/// Each line runs as one command with its own ``Context``; the context reaches the
/// session for the engine and for the current transaction. Like the engine, a session
/// belongs to one thread.
final class ShellSession {
    /// A transaction opened with `begin NAME`.
    struct OpenTransaction {
        let name: String
        let transaction: Transaction
    }

    let settings: ShellSettings
    /// The global options `aft` started the shell with, which open the store.
    let startOptions: GlobalOptions
    let environment: [String: String]
    let output: OutputStream
    let errors: OutputStream

    private(set) var node: ShellNode?
    /// The store as opened, shared by every node of this session, as a restarted process shares storage.
    private var baseStore: (any Store)?
    /// Open transactions in the order they began.
    private(set) var open: [OpenTransaction] = []
    private(set) var currentName: String?
    /// Names of every transaction begun in this session, for timelines.
    private(set) var names: [TransactionID: String] = [:]
    /// The transaction of the last command that ran outside a named transaction, for `explain`.
    private(set) var lastOneShot: Transaction?
    /// Set by `exit`; the loop stops after the current line.
    var wantsExit = false
    private var nextGeneratedName = 1

    init(settings: ShellSettings, startOptions: GlobalOptions, environment: [String: String], output: OutputStream, errors: OutputStream) {
        self.settings = settings
        self.startOptions = startOptions
        self.environment = environment
        self.output = output
        self.errors = errors
    }

    // MARK: The node

    /// Returns the engine of the current node, opening the store on first use.
    func engine() throws(AftError) -> Engine {
        if let node { return node.engine }
        let started = ShellNode(store: try store(), number: 1, faults: settings.faults, session: self)
        node = started
        return started.engine
    }

    /// Returns the store as opened, without the node's fault injection or interruption. Tab
    /// completion reads through it, so that it neither uses up a fault's hits nor fails because of one.
    func store() throws(AftError) -> any Store {
        if let baseStore { return baseStore }
        let context = Context(options: startOptions, environment: environment, output: output, errors: errors)
        let opened = try context.openStore()
        baseStore = opened
        return opened
    }

    /// Simulates a crash of this node: open transactions and caches are lost, and a new
    /// node starts over the same store, whose contents stay exactly as they were.
    @discardableResult
    func crash() -> CrashReport {
        let dropped = open
        let oldName = node?.engine.node
        let number = (node?.number ?? 0) + 1
        let disarmed = node?.faults.rules ?? []
        node?.store.isCrashed = true
        open = []
        currentName = nil
        lastOneShot = nil
        if let baseStore {
            node = ShellNode(store: baseStore, number: number, faults: [], session: self)
        }
        return CrashReport(oldNode: oldName, newNode: node?.engine.node, dropped: dropped, disarmed: disarmed)
    }

    // MARK: Named transactions

    var current: OpenTransaction? {
        guard let currentName else { return nil }
        return open.first { $0.name == currentName }
    }

    func openTransaction(named name: String) -> OpenTransaction? {
        open.first { $0.name == name }
    }

    /// Begins a registered transaction named `name` and makes it current.
    func begin(name: String, mode: any ConsistencyMode) throws(AftError) -> OpenTransaction {
        let transaction = try engine().beginRegistered(mode: mode)
        let entry = OpenTransaction(name: name, transaction: transaction)
        open.append(entry)
        names[transaction.id] = name
        currentName = name
        return entry
    }

    /// Picks a name for `begin` without one: t1, t2, … skipping names in use.
    func generateName() -> String {
        while true {
            let name = "t\(nextGeneratedName)"
            nextGeneratedName += 1
            if openTransaction(named: name) == nil { return name }
        }
    }

    func use(_ name: String?) {
        currentName = name
    }

    /// Forgets a transaction that committed or aborted.
    func close(_ name: String) {
        open.removeAll { $0.name == name }
        if currentName == name { currentName = nil }
    }

    /// Finds the open transaction that `text` names, by name or by a prefix of its id.
    func lookUp(_ text: String) -> OpenTransaction? {
        if let named = openTransaction(named: text) { return named }
        let lowered = text.lowercased()
        guard !lowered.isEmpty, lowered.allSatisfy(\.isHexDigit) else { return nil }
        let matches = open.filter { $0.transaction.id.hex.hasPrefix(lowered) }
        return matches.count == 1 ? matches[0] : nil
    }

    // MARK: Hooks for commands

    /// Returns the live transaction a command should run in: the one `-t` names when it is
    /// open in this shell, else the current one. Nil means the command runs on its own.
    func transaction(for invocation: Invocation) -> Transaction? {
        if let given = invocation.value("transaction")?.text {
            return lookUp(given)?.transaction
        }
        return current?.transaction
    }

    /// Returns the id of the transaction that ``transaction(for:)`` returns.
    func transactionID(from invocation: Invocation) -> TransactionID? {
        transaction(for: invocation)?.id
    }

    /// Remembers the transaction of a command that ran on its own, for `explain`.
    func noteOneShot(_ transaction: Transaction) {
        lastOneShot = transaction
    }
}

/// The settings of a shell, fixed when it starts.
struct ShellSettings {
    /// True when standard input is a terminal: prompts, line editing and history.
    var interactive: Bool
    /// Run every line of a script even after one fails.
    var keepGoing = false
    /// Print each script line after a prompt, so the output reads as a transcript.
    var echo = false
    var recordsHistory = true
    /// Faults armed for the first node, from --fault and AFT_FAULTS.
    var faults: [FaultRule] = []
    /// Global options given to `aft` before `shell`, applied to every line that does not set its own.
    var globalOptions: [String: [Argument]] = [:]
}

/// One incarnation of the shell's node: an engine, its fault plan and its gate to the store.
final class ShellNode {
    let engine: Engine
    let faults: FaultPlan
    let store: NodeStore
    /// 1 for the first node, counting up with each crash.
    let number: Int

    init(store base: any Store, number: Int, faults rules: [FaultRule], session: ShellSession) {
        let plan = FaultPlan(rules: [])
        let name = ShellNode.name(number: number)
        let gate = NodeStore(base, node: name)
        // The plan starts empty so that the engine keeps this wrapping, in which faults armed later take effect.
        engine = Engine(store: FaultInjectingStore(gate, faults: plan), faults: plan, node: name)
        for rule in rules {
            plan.arm(rule)
        }
        faults = plan
        store = gate
        self.number = number
        plan.crash = { [weak session] () throws(AftError) in
            guard let session else { return }
            let report = session.crash()
            throw AftError(.retryableAbort, "injected crash: \(report.summary)")
        }
    }

    /// `host:pid` for the first node, as for any aft process, and `host:pid.N` after the Nth crash.
    static func name(number: Int) -> String {
        let process = ProcessInfo.processInfo
        let base = "\(process.hostName):\(process.processIdentifier)"
        return number == 1 ? base : "\(base).\(number)"
    }
}

/// The report of a simulated crash: what it dropped and where the shell continues.
struct CrashReport {
    let oldNode: String?
    let newNode: String?
    let dropped: [ShellSession.OpenTransaction]
    let disarmed: [FaultRule]

    /// One line for messages: what was lost and where the shell continues.
    var summary: String {
        var text = "node \(oldNode ?? "(not started)") lost its memory"
        if !dropped.isEmpty {
            let list = dropped.map { "\($0.name) (\($0.transaction.id.short))" }.joined(separator: ", ")
            text += "; \(list) stay\(dropped.count == 1 ? "s" : "") running in storage until \(dropped.count == 1 ? "its lease expires" : "their leases expire") or someone commits or aborts \(dropped.count == 1 ? "it" : "them") by id"
        }
        if !disarmed.isEmpty {
            text += "; faults disarmed"
        }
        if let newNode {
            text += "; now node \(newNode)"
        }
        return text
    }
}
