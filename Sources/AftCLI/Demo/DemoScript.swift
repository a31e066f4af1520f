import AftEngine
import AftStores
import FoundationEssentials
import Glibc

/// A narrated demo: it plays transactions on nodes of its own over a temporary store.
struct DemoScript: Sendable {
    let name: String
    let summary: String
    let play: @Sendable (DemoStage) throws(AftError) -> Void
}

/// The stage of a demo: a temporary store, the nodes over it, and the narration.
final class DemoStage {
    let context: Context
    let pauses: Bool
    private(set) var store: any Store
    private let directory: String

    init(context: Context) throws(AftError) {
        self.context = context
        pauses = isatty(0) == 1 && context.output.isTerminal
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("aft-demo-\(UUID().uuidString)").path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw AftError(.unreachable, "cannot create a temporary directory for the demo: \(error); check $TMPDIR")
        }
        store = try SQLiteStore(path: Paths.join(directory, "demo.db"), durable: false)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Makes a new aft node over the demo's store, whose armed crash faults throw instead of killing aft.
    func node(_ name: String, faults: String = "") throws(AftError) -> Engine {
        let plan = try FaultPlan(specs: faults)
        plan.crash = { () throws(AftError) in throw DemoStage.crash }
        return Engine(store: store, faults: plan, node: name)
    }

    static let crash = AftError(.retryableAbort, "the node crashed")

    /// Starts a new scene: a heading, and a pause on a terminal.
    func scene(_ title: String) {
        context.output.line("")
        context.output.line("== \(title)")
        context.output.flush()
    }

    /// Narrates one step.
    func say(_ text: String) {
        context.output.line(HelpText.wrap(text, width: 80, indent: ""))
        context.output.flush()
    }

    /// Shows a command-like action and its result, indented.
    func show(_ action: String, _ result: String = "") {
        context.output.line("  \(action)" + (result.isEmpty ? "" : "  →  \(result)"))
        context.output.flush()
    }

    /// Prints the final line of a demo, which tests look for.
    func outcome(_ text: String) {
        context.output.line("outcome: \(text)")
        context.output.flush()
    }

    /// Waits for Enter on a terminal; runs straight through when piped.
    func pause() {
        guard pauses else { return }
        context.output.write("  [Enter] ")
        context.output.flush()
        var byte: UInt8 = 0
        while read(0, &byte, 1) == 1 && byte != UInt8(ascii: "\n") {}
    }

    /// Writes starting values in one committed transaction on a node of their own.
    func seed(_ values: [(String, String)], mode: any ConsistencyMode) throws(AftError) {
        let setup = try node("setup").begin(mode: mode)
        for (name, value) in values {
            try setup.put(name, value)
        }
        try setup.commit()
    }

    /// Reads keys in one fresh read-atomic transaction and formats them as `k=v`.
    func snapshot(_ names: [String], on engine: Engine, mode: any ConsistencyMode = ReadAtomic()) throws(AftError) -> [String: String] {
        let transaction = engine.begin(mode: mode)
        var values: [String: String] = [:]
        for name in names {
            let value = try transaction.get(Key(trusted: name)).value
            values[name] = value.map { String(decoding: $0, as: UTF8.self) } ?? "(none)"
        }
        try transaction.commit()
        return values
    }

    func format(_ values: [String: String], _ names: [String]) -> String {
        names.map { "\($0)=\(values[$0] ?? "?")" }.joined(separator: " ")
    }
}

extension Transaction {
    func put(_ name: String, _ value: String) throws(AftError) {
        try put(Key(trusted: name), Array(value.utf8))
    }

    func getText(_ name: String) throws(AftError) -> String {
        try get(Key(trusted: name)).value.map { String(decoding: $0, as: UTF8.self) } ?? "(none)"
    }
}
