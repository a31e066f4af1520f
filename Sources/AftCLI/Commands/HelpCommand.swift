import AftEngine
import AftStores

/// `aft help [COMMAND | exit-codes]`: prints help.
enum HelpCommand: Command {
    static let spec = CommandSpec(
        name: "help", arguments: "[COMMAND | exit-codes]",
        summary: "Show help for aft, for one command, or the table of exit statuses.",
        examples: ["aft help put", "aft help exit-codes"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        try showHelp(invocation, context: context, commands: CommandTable.all, overview: HelpText.overview)
    }

    /// Prints the overview, one command's help or the exit statuses, for aft and for its shell.
    static func showHelp(
        _ invocation: Invocation, context: Context, commands: [any Command.Type], overview: () -> String
    ) throws(AftError) {
        guard invocation.positionals.count <= 1 else {
            throw invocation.usageError("help takes at most one topic, got \(invocation.positionals.count)")
        }
        guard let topic = invocation.positionals.first?.text else {
            context.output.write(overview())
            return
        }
        if topic == "exit-codes" {
            context.output.write(HelpText.exitCodes())
            return
        }
        for command in commands where command.spec.name == topic {
            context.output.write(HelpText.command(command.spec))
            return
        }
        if commands.contains(where: { $0.spec.name == "shell" }),
           ShellCommandTable.all.contains(where: { $0.spec.name == topic }) {
            throw invocation.usageError("\(Escaping.quoted(topic)) is a command of the interactive shell; run 'aft shell' and type 'help \(topic)' there")
        }
        throw invocation.usageError("no help topic \(Escaping.quoted(topic)); use a command name or exit-codes")
    }
}

/// The help screens, built from the command table so they never drift from parsing.
enum HelpText {
    static let exitStatuses: [(Int32, String)] = [
        (0, "success"),
        (1, "a key asked for was not found (get), or a command failed otherwise"),
        (64, "usage error: unknown command or option, wrong arguments"),
        (65, "bad input data: invalid key, bad escape, malformed script line, oversize value"),
        (66, "an input file is missing or unreadable"),
        (69, "the store is unreachable or refused the connection"),
        (74, "I/O error in the store (disk full, corrupt record, not an aft store)"),
        (75, "transaction aborted and safe to retry (expired, missing version, injected fault)"),
        (77, "authentication to the store failed"),
    ]

    static let environment: [(String, String)] = [
        ("AFT_STORE", "store URL used when --store is not given"),
        ("AFT_TXN", "registered transaction that get, put, del, txn, commit and abort use when -t is not given; aft run sets it for its command"),
        ("AFT_ATTEMPT", "set by aft run for its command: the attempt number, from 1"),
        ("AFT_REDIS_PASSWORD", "password for a redis:// or redis+cluster:// store whose URL has none; never printed"),
        ("AFT_FAULTS", "comma-separated fault specs armed in every command, as with --fault"),
        ("NO_COLOR", "when set, error messages are not coloured"),
        ("XDG_DATA_HOME", "the default store is $XDG_DATA_HOME/aft/aft.db (default ~/.local/share/aft/aft.db)"),
        ("XDG_STATE_HOME", "the shell keeps its history in $XDG_STATE_HOME/aft/history (default ~/.local/state/aft/history)"),
        ("AFT_HISTFILE", "the shell's history file in place of the default; /dev/null turns history off"),
    ]

    static func overview() -> String {
        var text = """
            aft: read-atomic transactions over plain key-value storage

            Each command runs as a transaction whose writes become visible all together or
            not at all, and whose reads never see half of another transaction.

            usage: aft [OPTIONS] COMMAND [ARGUMENTS]
                   aft [OPTIONS]      (the interactive shell; see 'aft help shell')


            """
        text += "commands:\n" + table(CommandTable.all.map { ($0.spec.name, $0.spec.summary) }) + "\n"
        text += "global options:\n" + table(GlobalOptions.specs.map { ($0.synopsis, $0.help) }) + "\n"
        text += "environment:\n" + table(environment) + "\n"
        text += "exit status:\n" + table(exitStatuses.map { (String($0.0), $0.1) }) + "\n"
        text += "See 'aft help COMMAND' for a command's arguments and options.\n"
        return text
    }

    static func command(_ spec: CommandSpec) -> String {
        var text = "\(spec.summary)\n\nusage: \(spec.usage)\n"
        for paragraph in spec.discussion {
            text += "\n" + wrap(paragraph, width: 80, indent: "") + "\n"
        }
        if !spec.options.isEmpty {
            text += "\noptions:\n" + table(spec.options.map { ($0.synopsis, $0.help) })
        }
        if !spec.examples.isEmpty {
            text += "\nexamples:\n" + spec.examples.map { "  \($0)\n" }.joined()
        }
        text += "\nGlobal options (--store, --json, …) are listed by 'aft --help'.\n"
        return text
    }

    static func exitCodes() -> String {
        "exit status:\n" + table(exitStatuses.map { (String($0.0), $0.1) })
    }

    /// Two columns: names padded to a common width, descriptions wrapped beside them.
    static func table(_ rows: [(String, String)]) -> String {
        let width = min(28, (rows.map(\.0.count).max() ?? 0) + 2)
        var text = ""
        for (name, description) in rows {
            let indent = String(repeating: " ", count: width + 2)
            let wrapped = wrap(description, width: 80, indent: indent)
            if name.count + 2 <= width {
                text += "  " + name + String(repeating: " ", count: width - name.count) + wrapped.dropFirst(indent.count) + "\n"
            } else {
                text += "  \(name)\n\(wrapped)\n"
            }
        }
        return text
    }

    /// Wraps words to `width` columns, each line starting with `indent`.
    static func wrap(_ text: String, width: Int, indent: String) -> String {
        var lines: [String] = []
        var line = indent
        for word in text.split(separator: " ") {
            if line.count > indent.count && line.count + 1 + word.count > width {
                lines.append(line)
                line = indent
            }
            line += (line.count > indent.count ? " " : "") + word
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}
