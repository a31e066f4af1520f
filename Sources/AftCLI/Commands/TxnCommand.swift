import AftEngine

/// `aft txn [FILE]`: runs a script of reads and writes as one transaction.
enum TxnCommand: Command {
    static let spec = CommandSpec(
        name: "txn", arguments: "[FILE]",
        summary: "Run a transaction script from FILE or standard input, all or nothing.",
        discussion: [
            "Each line is 'get KEY', 'put KEY VALUE' or 'del KEY', with tokens in aft's escape grammar: a token with spaces or special bytes is written in double quotes, as in put \"my key\" \"line\\nnext\". Blank lines and lines starting with # are skipped.",
            "The whole script is checked before anything runs, and the first failing line aborts the transaction: nothing it wrote becomes visible, and aft exits with that error's status. A get of a missing key prints a note to standard error and does not stop the script.",
        ],
        options: [SharedOptions.transaction],
        examples: ["aft txn transfer.txt", "printf 'put a 1\\nput b 2\\n' | aft txn"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        guard invocation.positionals.count <= 1 else {
            throw invocation.usageError("txn takes at most one FILE, got \(invocation.positionals.count)")
        }
        let (name, source) = try InputFile.read(argument: invocation.positionals.first)
        let steps = try TransactionScript.parse(source, name: name)

        let (transaction, outcome) = try withTransaction(invocation, context: context) { transaction throws(AftError) in
            for step in steps {
                do throws(AftError) {
                    try run(step, in: transaction, context: context)
                } catch {
                    throw AftError(error.kind, "\(name) line \(step.line): \(error.message)")
                }
            }
        }
        if let outcome, !outcome.writeSet.isEmpty {
            WriteReporter.report(outcome, context: context)
        } else if outcome == nil {
            let written = steps.compactMap { step -> Key? in
                switch step.operation {
                case .put(let key, _), .delete(let key): key
                case .get: nil
                }
            }
            if !written.isEmpty {
                WriteReporter.reportStaged(Array(Set(written)).sorted(), in: transaction, context: context)
            }
        }
    }

    private static func run(_ step: TransactionScript.Step, in transaction: Transaction, context: Context) throws(AftError) {
        switch step.operation {
        case .get(let key):
            let result = try transaction.get(key)
            guard let value = result.value else {
                if context.format == .json {
                    context.json([("key", .string(key.string)), ("found", .bool(false)), ("version", Formatting.jsonStamp(result.version))])
                } else {
                    context.errors.line("note: line \(step.line): key \(Escaping.quoted(key.string)) not found")
                }
                return
            }
            switch context.format {
            case .json:
                context.json([("key", .string(key.string)), ("found", .bool(true))] + Formatting.jsonValueFields(value) + [("version", Formatting.jsonStamp(result.version))])
            case .raw:
                context.output.write(bytes: value)
            case .human:
                context.output.line(Escaping.display(value))
            }
        case .put(let key, let value):
            try transaction.put(key, value)
        case .delete(let key):
            try transaction.delete(key)
        }
    }
}

/// A parsed transaction script.
enum TransactionScript {
    enum Operation: Equatable {
        case get(Key)
        case put(Key, [UInt8])
        case delete(Key)
    }

    struct Step: Equatable {
        let line: Int
        let operation: Operation
    }

    /// Parses every line first, so a malformed line stops the script before anything runs.
    static func parse(_ source: [UInt8], name: String) throws(AftError) -> [Step] {
        guard let text = String(validating: source, as: UTF8.self) else {
            throw AftError(.invalidInput, "\(name) is not valid UTF-8; write bytes that are not text as \\xHH escapes inside double quotes")
        }
        var steps: [Step] = []
        // Split on scalars, not Characters: "\r\n" is one Character and would never match "\n".
        for (offset, line) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            do throws(AftError) {
                if let operation = try parseLine(String(line)) {
                    steps.append(Step(line: number, operation: operation))
                }
            } catch {
                throw AftError(error.kind, "\(name) line \(number): \(error.message)")
            }
        }
        return steps
    }

    static func parseLine(_ line: String) throws(AftError) -> Operation? {
        let tokens = try Tokenizer.tokenize(line)
        guard let verb = tokens.first else { return nil }
        let arguments = Array(tokens.dropFirst())
        func expect(_ count: Int, _ usage: String) throws(AftError) {
            guard arguments.count == count else {
                throw AftError(.invalidInput, "'\(verb.text)' takes \(usage), but the line has \(Formatting.plural(arguments.count, "argument")); quote a token that contains spaces")
            }
        }
        // Statements are case-insensitive, as in SQL and redis-cli.
        switch verb.text.lowercased() {
        case "get":
            try expect(1, "KEY")
            return .get(try Key(bytes: arguments[0].bytes))
        case "put":
            try expect(2, "KEY VALUE")
            return .put(try Key(bytes: arguments[0].bytes), arguments[1].bytes)
        case "del":
            try expect(1, "KEY")
            return .delete(try Key(bytes: arguments[0].bytes))
        default:
            throw AftError(.invalidInput, "unknown statement \(Escaping.quoted(verb.text)); a line is 'get KEY', 'put KEY VALUE' or 'del KEY'")
        }
    }
}
