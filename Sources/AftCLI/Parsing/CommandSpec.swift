import AftEngine

/// One option a command accepts.
struct OptionSpec: Sendable {
    let long: String
    let short: Character?
    /// The placeholder of the option's value in help, or nil for a flag.
    let valueName: String?
    let help: String

    init(_ long: String, short: Character? = nil, value valueName: String? = nil, help: String) {
        self.long = long
        self.short = short
        self.valueName = valueName
        self.help = help
    }

    var takesValue: Bool { valueName != nil }

    /// The option as help shows it, such as `-t, --transaction ID`.
    var synopsis: String {
        var text = short.map { "-\($0), " } ?? "    "
        text += "--\(long)"
        if let valueName { text += " \(valueName)" }
        return text
    }
}

/// The help and parsing description of one command.
struct CommandSpec: Sendable {
    let name: String
    /// The positional arguments as usage shows them, such as `KEY…`.
    let arguments: String
    let summary: String
    /// Longer help shown by `aft help COMMAND`, one paragraph per element.
    let discussion: [String]
    let options: [OptionSpec]
    /// Example command lines for help.
    let examples: [String]

    init(
        name: String, arguments: String = "", summary: String, discussion: [String] = [],
        options: [OptionSpec] = [], examples: [String] = []
    ) {
        self.name = name
        self.arguments = arguments
        self.summary = summary
        self.discussion = discussion
        self.options = options
        self.examples = examples
    }

    var usage: String {
        var parts = ["aft", name]
        for option in options {
            parts.append(option.valueName.map { "[--\(option.long) \($0)]" } ?? "[--\(option.long)]")
        }
        if !arguments.isEmpty { parts.append(arguments) }
        return parts.joined(separator: " ")
    }
}

/// A command aft runs: its spec, and the work it does with parsed arguments.
protocol Command {
    static var spec: CommandSpec { get }
    static func run(_ invocation: Invocation, context: Context) throws(AftError)
}

/// An argument as the process received it: raw bytes, which need not be UTF-8.
struct Argument: Equatable, Sendable {
    let bytes: [UInt8]

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    init(_ text: String) {
        self.bytes = Array(text.utf8)
    }

    /// The argument as text, with invalid UTF-8 repaired, for option names and messages.
    var text: String { String(decoding: bytes, as: UTF8.self) }
}
