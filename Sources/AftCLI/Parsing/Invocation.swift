import AftEngine

/// A parsed command line: global options, the command and its own options and arguments.
struct Invocation {
    var command: (any Command.Type)?
    var positionals: [Argument] = []
    /// Option values by long name; a flag maps to one empty argument per use.
    var options: [String: [Argument]] = [:]

    func flag(_ long: String) -> Bool {
        options[long] != nil
    }

    func value(_ long: String) -> Argument? {
        options[long]?.last
    }

    func values(_ long: String) -> [Argument] {
        options[long] ?? []
    }

    /// The command's usage error, which also prints the usage line and where to find help.
    func usageError(_ message: String) -> AftError {
        UsageError.make(message, command: command?.spec)
    }
}

/// Builds usage errors whose message ends with the usage line and a pointer to help.
enum UsageError {
    static func make(_ message: String, command: CommandSpec?) -> AftError {
        guard let command else {
            return AftError(.usage, "\(message)\nusage: aft [OPTIONS] COMMAND [ARGUMENTS]\nSee 'aft --help'.")
        }
        return AftError(.usage, "\(message)\nusage: \(command.usage)\nSee 'aft \(command.name) --help'.")
    }
}
