import AftEngine

/// Tab completion for the shell: commands, options, transaction names, fault points and stored keys.
///
/// The completer only reads the line before the cursor; the editor applies what it returns.
struct ShellCompleter {
    /// The matches a Tab press offers for the word before the cursor.
    struct Completion: Equatable {
        /// The word before the cursor, as typed.
        let word: String
        /// Every match, in the form to insert.
        let candidates: [String]

        /// The text that replaces `word`. A single match comes with a space after it when
        /// the word is finished, and several give the longest prefix they share when it
        /// extends the word. Nil means the matches should be listed instead.
        var replacement: String? {
            if candidates.count == 1 {
                let only = candidates[0]
                return only.hasSuffix("=") || only.hasSuffix(":") ? only : only + " "
            }
            let shared = ShellCompleter.commonPrefix(candidates)
            return shared.count > word.count && shared != word ? shared : nil
        }
    }

    let commands: [CommandSpec]
    let globalOptions: [OptionSpec]
    /// Names of the transactions open in the shell.
    let transactionNames: () -> [String]
    /// Keys whose text starts with the given prefix, in byte order.
    let keys: (String) -> [String]

    func complete(_ before: String) -> Completion {
        var (words, word) = ShellCompleter.split(before)
        if words.first == "aft" { words.removeFirst() }
        let position = ShellCompleter.locate(words, commands: commands, globalOptions: globalOptions)

        if let option = position.awaitingValueOf {
            return Completion(word: word, candidates: matching(word, optionValues(option)))
        }
        if word.hasPrefix("-") {
            let options = globalOptions + (position.command?.options ?? [])
            return Completion(word: word, candidates: matching(word, options.map { "--\($0.long)" }))
        }
        guard let command = position.command else {
            return Completion(word: word, candidates: matching(word, commands.map(\.name)))
        }
        return Completion(word: word, candidates: positionals(of: command.name, index: position.positionals, word: word))
    }

    private func positionals(of command: String, index: Int, word: String) -> [String] {
        switch command {
        case "begin", "use", "commit", "abort":
            return index == 0 ? matching(word, transactionNames()) : []
        case "help":
            return index == 0 ? matching(word, commands.map(\.name) + ["exit-codes"]) : []
        case "fault":
            let points = FaultPoint.names.map { $0.hasSuffix(":N") ? String($0.dropLast()) : $0 + "=" }
            return matching(word, points + ["clear"])
        case "get", "del", "history", "timeline":
            return keyTokens(word)
        case "put":
            return index == 0 && !word.contains("=") ? keyTokens(word) : []
        default:
            return []
        }
    }

    private func optionValues(_ option: OptionSpec) -> [String] {
        switch option.long {
        case "consistency": ConsistencyModes.names
        case "transaction": transactionNames()
        case "fault": FaultPoint.names.map { $0.hasSuffix(":N") ? String($0.dropLast()) : $0 + "=" }
        default: []
        }
    }

    /// Stored keys that start with the text the word stands for, as tokens of the escape grammar.
    private func keyTokens(_ word: String) -> [String] {
        guard let prefix = ShellCompleter.decode(word) else { return [] }
        return keys(prefix).map { Escaping.token($0) }
    }

    private func matching(_ word: String, _ candidates: [String]) -> [String] {
        var seen = Set<String>()
        return candidates.filter { $0.hasPrefix(word) && seen.insert($0).inserted }
    }

    // MARK: Reading the line

    /// The place of the word being completed in the command.
    struct Position {
        var command: CommandSpec?
        /// Positional arguments before the word.
        var positionals = 0
        /// The option whose value the word is.
        var awaitingValueOf: OptionSpec?
    }

    static func locate(_ words: [String], commands: [CommandSpec], globalOptions: [OptionSpec]) -> Position {
        var position = Position()
        var onlyPositionals = false
        for word in words {
            if position.awaitingValueOf != nil {
                position.awaitingValueOf = nil
                continue
            }
            if !onlyPositionals && word == "--" {
                onlyPositionals = true
                continue
            }
            if !onlyPositionals && word.hasPrefix("-") && word != "-" {
                let options = globalOptions + (position.command?.options ?? [])
                let spec: OptionSpec? = word.hasPrefix("--")
                    ? options.first { $0.long == String(word.dropFirst(2)) }
                    : options.first { word.count == 2 && $0.short == word.last }
                if let spec, spec.takesValue { position.awaitingValueOf = spec }
                continue
            }
            if position.command == nil {
                position.command = commands.first { $0.name == word }
                if position.command == nil { return Position(command: CommandSpec(name: word, summary: "")) }
            } else {
                position.positionals += 1
            }
        }
        return position
    }

    /// Splits the text before the cursor into finished words and the word being typed.
    /// Quotes and escapes stay as typed, and the last quote may still be open.
    static func split(_ text: String) -> (words: [String], word: String) {
        var words: [String] = []
        var current = ""
        var inQuotes = false
        var escaped = false
        for scalar in text.unicodeScalars {
            if inQuotes {
                current.unicodeScalars.append(scalar)
                if escaped {
                    escaped = false
                } else if scalar == "\\" {
                    escaped = true
                } else if scalar == "\"" {
                    inQuotes = false
                }
            } else if scalar == " " || scalar == "\t" {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                if scalar == "\"" && current.isEmpty { inQuotes = true }
                current.unicodeScalars.append(scalar)
            }
        }
        return (words, current)
    }

    /// Decodes a partly typed token; returns nil when its escapes cannot be read yet.
    static func decode(_ word: String) -> String? {
        guard Escaping.startsWithQuote(word) else { return word }
        var body = Substring(word.unicodeScalars.dropFirst())
        if word.unicodeScalars.count > 1, body.unicodeScalars.last == "\"" {
            body = Substring(body.unicodeScalars.dropLast())
        }
        guard let bytes = try? Escaping.unescape(body, original: word) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    static func commonPrefix(_ candidates: [String]) -> String {
        guard var prefix = candidates.first.map({ Array($0.unicodeScalars) }) else { return "" }
        for candidate in candidates.dropFirst() {
            let scalars = Array(candidate.unicodeScalars)
            var length = 0
            while length < min(prefix.count, scalars.count) && prefix[length] == scalars[length] {
                length += 1
            }
            prefix.removeLast(prefix.count - length)
        }
        return String(String.UnicodeScalarView(prefix))
    }

    /// Candidates laid out in columns that fit `width`, as shells list completions.
    static func columns(_ candidates: [String], width: Int) -> String {
        let cell = (candidates.map(\.count).max() ?? 0) + 2
        let perLine = max(1, width / cell)
        var lines: [String] = []
        var line = ""
        for (index, candidate) in candidates.enumerated() {
            line += candidate
            if (index + 1) % perLine == 0 || index == candidates.count - 1 {
                lines.append(line)
                line = ""
            } else {
                line += String(repeating: " ", count: cell - candidate.count)
            }
        }
        return lines.joined(separator: "\n")
    }
}
