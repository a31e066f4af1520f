import AftEngine

/// `aft get KEY…`: reads keys in one transaction.
enum GetCommand: Command {
    static let spec = CommandSpec(
        name: "get", arguments: "KEY…",
        summary: "Read keys in one read-atomic transaction.",
        discussion: [
            "Prints the value of one key alone, or KEY VALUE per line for several keys. A value that is not printable text is shown quoted in aft's escape grammar; --raw prints its bytes exactly.",
            "A key with no visible value prints an error and exits with status 1, after printing the keys that were found.",
        ],
        options: [
            SharedOptions.transaction,
            OptionSpec("explain", help: "After the values, show each version considered and why it was chosen or skipped."),
        ],
        examples: ["aft get balance:alice", "aft get --raw photo > photo.jpg", "aft get --explain a b"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        let keys = try keys(invocation)
        if context.format == .raw && keys.count > 1 {
            throw invocation.usageError("--raw prints one value, but \(keys.count) keys were given; give one key")
        }

        var results: [ReadResult] = []
        _ = try withTransaction(invocation, context: context) { transaction throws(AftError) in
            for key in keys {
                results.append(try transaction.get(key))
            }
        }

        for result in results {
            print(result, single: keys.count == 1, context: context, explain: invocation.flag("explain"))
        }
        let missing = results.filter { $0.value == nil }.map(\.key)
        if missing.count == 1 {
            throw AftError(.notFound, "key \(Escaping.quoted(missing[0].string)) not found")
        } else if !missing.isEmpty {
            throw AftError(.notFound, "keys \(missing.map { Escaping.quoted($0.string) }.joined(separator: ", ")) not found")
        }
    }

    private static func print(_ result: ReadResult, single: Bool, context: Context, explain: Bool) {
        switch context.format {
        case .raw:
            if let value = result.value { context.output.write(bytes: value) }
        case .json:
            var fields: [(String, JSONValue)] = [("key", .string(result.key.string)), ("found", .bool(result.value != nil))]
            if let value = result.value { fields += Formatting.jsonValueFields(value) }
            fields.append(("version", Formatting.jsonStamp(result.version)))
            if explain { fields.append(("explain", ExplainFormatter.json(result.explanation))) }
            context.json(fields)
        case .human:
            if let value = result.value {
                context.output.line(single ? Escaping.display(value) : "\(Escaping.token(result.key.string)) \(Escaping.display(value))")
            }
            if explain {
                for line in ExplainFormatter.lines(result.explanation, version: result.version, deleted: result.value == nil) {
                    context.output.line(line)
                }
            }
        }
    }
}
