import AftEngine

/// Runs one line of the shell as a command, with the same tokens, parsing, output and
/// errors as the command line.
enum ShellLine {
    /// Global options that only the shell's start can set, because the session has one store and one node.
    static let sessionOnlyOptions = ["store", "fault"]

    /// Runs `text`; a blank line or a comment does nothing.
    static func run(_ text: String, session: ShellSession) throws(AftError) {
        var tokens = try Tokenizer.tokenize(text)
        // A command line pasted with its program name runs as it would in a terminal.
        if tokens.first?.text == "aft" {
            tokens.removeFirst()
        }
        guard !tokens.isEmpty else { return }
        let arguments = tokens.map { Argument(bytes: $0.bytes) }

        let parser = ArgumentParser(commands: ShellCommandTable.all, globalOptions: GlobalOptions.specs)
        var invocation = try parser.parse(arguments)
        if invocation.flag("version") {
            session.output.line("aft \(AftMain.version)")
            return
        }
        guard let command = invocation.command else {
            if invocation.flag("help") {
                session.output.write(ShellHelp.overview())
                return
            }
            throw UsageError.make("missing command; type 'help' for the list", command: nil)
        }
        if invocation.flag("help") {
            session.output.write(HelpText.command(command.spec))
            return
        }
        for name in sessionOnlyOptions where invocation.options[name] != nil {
            let hint = name == "store" ? "start another shell with 'aft --store URL shell'" : "arm it with 'fault SPEC' instead"
            throw invocation.usageError("--\(name) applies to the whole shell; \(hint)")
        }
        try StandardInputGuard.check(invocation, command: command)

        invocation.options = mergedOptions(invocation.options, session.settings.globalOptions)
        let options = try GlobalOptions(invocation, environment: session.environment)
        let context = Context(options: options, environment: session.environment, output: session.output, errors: session.errors)
        context.session = session
        Interrupts.clear()
        try command.run(invocation, context: context)
    }

    /// Completes a line's options with the shell's start options that the line does not override.
    /// A line's --json or --raw replaces the start's output form, and -v or -q its verbosity.
    static func mergedOptions(_ line: [String: [Argument]], _ start: [String: [Argument]]) -> [String: [Argument]] {
        let groups = [["json", "raw"], ["verbose", "quiet"]]
        var merged = line
        for (name, values) in start where line[name] == nil {
            let group = groups.first { $0.contains(name) } ?? [name]
            guard group.allSatisfy({ line[$0] == nil }) else { continue }
            merged[name] = values
        }
        return merged
    }
}

/// Rejects a command that would read standard input, which carries the shell's own commands.
enum StandardInputGuard {
    static func check(_ invocation: Invocation, command: any Command.Type) throws(AftError) {
        let dash = Argument("-")
        switch command.spec.name {
        case PutCommand.spec.name:
            guard !invocation.flag("literal"), !invocation.flag("escapes") else { return }
            let pairs = try PutCommand.parsePairs(invocation)
            if pairs.contains(where: { $0.1 == dash.bytes }) {
                throw invocation.usageError("in the shell, standard input carries commands, so a value cannot come from '-'; give it inline in double quotes with escapes, or as @PATH")
            }
        case TxnCommand.spec.name:
            if invocation.positionals.isEmpty || invocation.positionals.first == dash {
                throw invocation.usageError("in the shell, standard input carries commands, so txn needs a FILE; or run the statements one by one inside 'begin'")
            }
        default:
            return
        }
    }
}
