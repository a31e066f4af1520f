import AftEngine
import AftStores
import FoundationEssentials
import Glibc

/// `aft put`: writes keys in one transaction.
enum PutCommand: Command {
    static let spec = CommandSpec(
        name: "put", arguments: "KEY VALUE | KEY=VALUE…",
        summary: "Write keys in one transaction, all or nothing.",
        discussion: [
            "With two arguments and no '=' in one of them, the first is the key and the second the value. When every argument contains '=', each is a KEY=VALUE pair split at its first '='.",
            "A value of - is read from standard input, and @PATH is read from the file PATH. --literal turns both off. --escapes reads the value in aft's escape grammar, as 'aft get' prints it: text in double quotes has its escapes decoded, and bare text is taken as it is, so a printed value pasted back stores the same bytes.",
            "Inside a registered transaction (-t ID or $AFT_TXN) the writes are staged in storage and stay invisible until 'aft commit'.",
        ],
        options: [
            SharedOptions.transaction,
            OptionSpec("literal", help: "Take values as given: no - for standard input, no @PATH."),
            OptionSpec("escapes", short: "e", help: "Read values in the escape grammar that 'aft get' prints, as in '\"line\\nnext\"'."),
        ],
        examples: [
            "aft put greeting hello", "aft put a=1 b=2", "aft put photo @photo.jpg", "printf 'x\\0y' | aft put blob -",
            "aft put -e note '\"line\\nnext\"'",
        ])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        let pairs = try parsePairs(invocation)
        var writes: [(Key, [UInt8])] = []
        var usedStandardInput = false
        for (keyBytes, valueArgument) in pairs {
            let key = try Key(bytes: keyBytes)
            let value = try resolveValue(valueArgument, invocation: invocation, context: context, usedStandardInput: &usedStandardInput)
            writes.append((key, value))
        }
        try WriteReporter.apply(writes.map { ($0.0, VersionValue.value($0.1)) }, invocation: invocation, context: context)
    }

    /// Splits the arguments into (key, value) pairs in either form.
    static func parsePairs(_ invocation: Invocation) throws(AftError) -> [([UInt8], [UInt8])] {
        let arguments = invocation.positionals
        let equals = UInt8(ascii: "=")
        if !arguments.isEmpty, arguments.allSatisfy({ $0.bytes.contains(equals) }) {
            return arguments.map { argument in
                let split = argument.bytes.firstIndex(of: equals)!
                return (Array(argument.bytes[..<split]), Array(argument.bytes[(split + 1)...]))
            }
        }
        switch arguments.count {
        case 0:
            throw invocation.usageError("missing KEY and VALUE")
        case 1:
            throw invocation.usageError("missing value for key \(Escaping.quoted(arguments[0].bytes)); write 'aft put KEY VALUE' or 'aft put KEY=VALUE', and put '--' before a value that starts with '-'")
        case 2:
            return [(arguments[0].bytes, arguments[1].bytes)]
        default:
            throw invocation.usageError("\(arguments.count) arguments is neither KEY VALUE nor all KEY=VALUE pairs; quote a value that has spaces")
        }
    }

    private static func resolveValue(
        _ value: [UInt8], invocation: Invocation, context: Context, usedStandardInput: inout Bool
    ) throws(AftError) -> [UInt8] {
        if invocation.flag("escapes") {
            // `get` prints a value bare only when it is plain text, so bare text keeps its
            // backslashes and quotes, and only quoted text has its escapes decoded.
            return try Escaping.parse(String(decoding: value, as: UTF8.self))
        }
        guard !invocation.flag("literal") else { return value }
        if value == Array("-".utf8) {
            guard !usedStandardInput else {
                throw invocation.usageError("standard input can supply only one value; use @PATH for the others")
            }
            usedStandardInput = true
            return InputFile.readAll(descriptor: 0)
        }
        if value.first == UInt8(ascii: "@") {
            let path = String(decoding: value.dropFirst(), as: UTF8.self)
            return try InputFile.read(path, hint: "check the path, or pass --literal to store a value that starts with '@'")
        }
        return value
    }
}

/// `aft del KEY…`: deletes keys in one transaction by writing tombstones.
enum DelCommand: Command {
    static let spec = CommandSpec(
        name: "del", arguments: "KEY…",
        summary: "Delete keys in one transaction by writing tombstone versions.",
        discussion: ["Deleting a key that has no value is not an error: the tombstone is written all the same, as a blind write."],
        options: [SharedOptions.transaction],
        examples: ["aft del session:42", "aft del -t 3f2a a b"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        let keys = try keys(invocation)
        try WriteReporter.apply(keys.map { ($0, VersionValue.tombstone) }, invocation: invocation, context: context)
    }
}

/// Applies writes in one transaction and reports the outcome, for `put` and `del`.
enum WriteReporter {
    static func apply(_ writes: [(Key, VersionValue)], invocation: Invocation, context: Context) throws(AftError) {
        let (transaction, outcome) = try PutCommand.withTransaction(invocation, context: context) { transaction throws(AftError) in
            for (key, contents) in writes {
                try transaction.write(contents, to: key)
            }
        }
        guard let outcome else {
            reportStaged(writes.map(\.0), in: transaction, context: context)
            return
        }
        report(outcome, context: context)
    }

    /// Reports writes made inside a registered transaction, which stay invisible until commit unless the mode is lww.
    static func reportStaged(_ keys: [Key], in transaction: Transaction, context: Context) {
        let visible = transaction.mode.name == LastWriterWins.name
        if context.format == .json {
            context.json([
                ("status", .string(visible ? "written" : "staged")), ("transaction", .string(transaction.id.hex)),
                ("keys", .array(keys.map { .string($0.string) })),
            ])
        } else if visible {
            context.status("wrote \(Formatting.plural(keys.count, "key")) in \(transaction.id.short); lww makes each write visible at once")
        } else if let name = context.session?.names[transaction.id] {
            let pronoun = keys.count == 1 ? "it" : "them"
            context.status("staged \(Formatting.plural(keys.count, "key")) in \(name); 'commit \(name)' makes \(pronoun) visible")
        } else if context.environment["AFT_ATTEMPT"] != nil && context.session == nil {
            context.status("staged \(Formatting.plural(keys.count, "key")) in \(transaction.id.short); aft run commits when the command exits 0")
        } else {
            let pronoun = keys.count == 1 ? "it" : "them"
            context.status("staged \(Formatting.plural(keys.count, "key")) in \(transaction.id.short); run 'aft commit \(transaction.id.short)' to make \(pronoun) visible")
        }
    }

    static func report(_ outcome: CommitOutcome, context: Context) {
        if context.format == .json {
            context.json([
                ("status", .string(outcome.alreadyCommitted ? "already-committed" : "committed")),
                ("transaction", .string(outcome.transaction.hex)),
                ("stamp", Formatting.jsonStamp(outcome.stamp)),
                ("keys", .array(outcome.writeSet.map { .string($0.string) })),
                ("warning", outcome.warning.map { .string($0) } ?? .null),
            ])
            if let warning = outcome.warning {
                context.warn(warning)
            }
            return
        }
        let prefix = outcome.alreadyCommitted ? "already committed" : "committed"
        context.status("\(prefix) \(outcome.transaction.short) (\(Formatting.plural(outcome.writeSet.count, "key")))")
        if let warning = outcome.warning {
            context.warn(warning)
        }
    }
}
