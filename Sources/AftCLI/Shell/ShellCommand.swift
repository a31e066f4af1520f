import AftEngine
import Glibc

/// `aft shell`: the interactive shell, or a script of shell commands on standard input.
enum ShellCommand: Command {
    static let spec = CommandSpec(
        name: "shell",
        summary: "Open the interactive shell: interleave named transactions step by step, inject faults and crashes, and see why each read returned what it did.",
        discussion: [
            "'aft' with no command opens the shell too. Each line is a command as after 'aft' on the command line, with the same options, output, errors and escape grammar. The shell adds named transactions (begin NAME, use, commit, abort, transactions), explain, timeline KEY…, fault, crash, help and exit; while a transaction is current, get, put, del and txn act in it, and the prompt shows it as in 'aft t1 r2 w1>': its name, the keys it has read and written, and 'aborted' once it has aborted.",
            "At a terminal the shell edits lines with libedit, completes commands, options, transaction names and keys with Tab, and keeps a history in $XDG_STATE_HOME/aft/history (default ~/.local/state/aft/history, mode 0600), or in $AFT_HISTFILE; /dev/null turns it off. Lines that carry a password, such as a redis:// URL with user:password@ or an AUTH argument, are never recorded. Ctrl-C clears the line or stops the running command, and Ctrl-D leaves, naming transactions still open.",
            "With standard input not a terminal, the shell reads commands from it without prompts or history, so a file of commands is a reproducible demo; lines starting with # are comments. The first failing line stops the script, and aft exits with that error's status. --store and --fault apply to the whole shell and must come before 'shell'.",
        ],
        options: [
            OptionSpec("keep-going", help: "With commands on standard input, run every line even after one fails, then exit with the status of the first failure."),
            OptionSpec("echo", help: "With commands on standard input, print each line after its prompt, so the output reads as a transcript."),
            OptionSpec("no-history", help: "Neither read nor write the history file."),
        ],
        examples: ["aft shell", "aft --store memory: shell < demo.txt", "aft --consistency lww shell --echo --keep-going < examples/anomalies/read-skew.aft"])

    /// Global options the shell keeps for its lines; --help and --version act at once instead.
    private static let keptGlobalOptions = Set(GlobalOptions.specs.map(\.long)).subtracting(["help", "version"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        guard invocation.positionals.isEmpty else {
            throw invocation.usageError("shell takes no arguments, but got \(Escaping.quoted(invocation.positionals[0].bytes)); to run a file of commands, write 'aft shell < FILE'")
        }
        var settings = ShellSettings(interactive: isatty(0) == 1)
        settings.keepGoing = invocation.flag("keep-going")
        settings.echo = invocation.flag("echo")
        settings.recordsHistory = !invocation.flag("no-history")
        settings.faults = context.options.faults
        settings.globalOptions = invocation.options.filter { keptGlobalOptions.contains($0.key) }

        let session = ShellSession(
            settings: settings, startOptions: context.options, environment: context.environment,
            output: context.output, errors: context.errors)
        if settings.interactive {
            context.exitStatus = try InteractiveShell(session: session).run()
        } else {
            context.exitStatus = ScriptedShell(session: session).run()
        }
    }
}
