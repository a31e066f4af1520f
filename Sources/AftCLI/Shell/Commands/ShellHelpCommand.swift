import AftEngine

/// `help [COMMAND | exit-codes]` in the shell.
enum ShellHelpCommand: Command {
    static let spec = CommandSpec(
        name: "help", arguments: "[COMMAND | exit-codes]",
        summary: "Show the shell's commands and keys, help for one command, or the table of exit statuses.",
        examples: ["help", "help timeline", "help exit-codes"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        try HelpCommand.showHelp(invocation, context: context, commands: ShellCommandTable.all, overview: ShellHelp.overview)
    }
}

/// The shell's help screen.
enum ShellHelp {
    static let keys: [(String, String)] = [
        ("Tab", "complete a command, option, transaction name or stored key"),
        ("Ctrl-C", "clear the line, or stop the running command"),
        ("Ctrl-D", "leave the shell, listing transactions still open"),
        ("Up, Down", "walk the history; Ctrl-A, Ctrl-E and the other emacs keys edit the line"),
    ]

    static func overview() -> String {
        var text = """
            aft shell: play transactions step by step

            Type a command as after 'aft' on the command line, with tokens in aft's escape
            grammar: "my key" and "line\\nnext" are one token each. While a transaction
            opened with 'begin NAME' is current, get, put, del and txn act in it, and the
            prompt shows its name and how many keys it has read (r) and written (w).


            """
        text += "commands:\n" + HelpText.table(ShellCommandTable.all.map { ($0.spec.name, $0.spec.summary) }) + "\n"
        text += "keys:\n" + HelpText.table(keys) + "\n"
        text += "See 'help COMMAND' for a command's arguments and options, and 'help exit-codes'.\n"
        return text
    }
}
