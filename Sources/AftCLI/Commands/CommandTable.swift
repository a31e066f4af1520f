/// Every command aft accepts, in the order help lists them.
enum CommandTable {
    static var all: [any Command.Type] { [
        GetCommand.self, PutCommand.self, DelCommand.self, TxnCommand.self,
        BeginCommand.self, CommitCommand.self, AbortCommand.self,
        HistoryCommand.self, LogCommand.self, ShowCommand.self, KeysCommand.self, StatsCommand.self,
        ExportCommand.self, ImportCommand.self,
        RunCommand.self, GCCommand.self, RecoverCommand.self, BenchCommand.self, CheckCommand.self, CompletionsCommand.self, DemoCommand.self, ShellCommand.self, HelpCommand.self,
    ] }
}
