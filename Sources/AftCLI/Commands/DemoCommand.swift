import AftEngine

/// `aft demo [NAME]`: guided demos on a temporary store.
enum DemoCommand: Command {
    static let spec = CommandSpec(
        name: "demo", arguments: "[NAME]",
        summary: "Play a guided demo on a temporary store; without NAME, list the demos.",
        discussion: [
            "Each demo narrates interleaved transactions on several aft nodes over a temporary SQLite store, then prints a line starting with 'outcome:'. On a terminal it pauses for Enter between steps; piped, it runs straight through. 'aft demo all' plays every demo.",
        ],
        examples: ["aft demo", "aft demo crash", "aft demo all | less"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        guard invocation.positionals.count <= 1 else {
            throw invocation.usageError("demo takes at most one NAME, got \(invocation.positionals.count)")
        }
        guard let name = invocation.positionals.first?.text else {
            context.output.write(HelpText.table(Demos.all.map { ($0.name, $0.summary) } + [("all", "Play every demo.")]))
            return
        }
        let chosen = name == "all" ? Demos.all : Demos.all.filter { $0.name == name }
        guard !chosen.isEmpty else {
            throw invocation.usageError("unknown demo \(Escaping.quoted(name)); use one of \(Demos.all.map(\.name).joined(separator: ", ")) or all")
        }
        for demo in chosen {
            let stage = try DemoStage(context: context)
            context.output.line("# demo \(demo.name): \(demo.summary)")
            try demo.play(stage)
            context.output.line("")
        }
    }
}
