/// The commands of the shell: every command of `aft`, with shell versions of begin,
/// commit, abort and help, and the commands that only a shell session can run.
enum ShellCommandTable {
    static var all: [any Command.Type] {
        var commands: [any Command.Type] = []
        for command in CommandTable.all {
            switch command.spec.name {
            case ShellCommand.spec.name:
                continue
            case BeginCommand.spec.name:
                commands.append(ShellBeginCommand.self)
                commands.append(UseCommand.self)
            case CommitCommand.spec.name:
                commands.append(ShellCommitCommand.self)
            case AbortCommand.spec.name:
                commands += [ShellAbortCommand.self, TransactionsCommand.self, ExplainCommand.self, TimelineCommand.self, FaultCommand.self, CrashCommand.self]
            case HelpCommand.spec.name:
                commands.append(ShellHelpCommand.self)
            default:
                commands.append(command)
            }
        }
        return commands + [ExitCommand.self, QuitCommand.self]
    }
}
