import AftEngine

/// Parses process arguments against the command table.
///
/// Options, global or the command's own, may appear anywhere before `--`; long
/// options take their value as `--name=value` or as the next argument, short ones
/// as `-xVALUE` or the next argument. A lone `-` is an argument (standard input).
struct ArgumentParser {
    let commands: [any Command.Type]
    let globalOptions: [OptionSpec]

    func parse(_ arguments: [Argument]) throws(AftError) -> Invocation {
        var invocation = Invocation()
        var index = 0
        var onlyPositionals = false

        while index < arguments.count {
            let argument = arguments[index]
            let text = argument.text
            index += 1

            if onlyPositionals || text == "-" || !text.hasPrefix("-") {
                if invocation.command == nil && !onlyPositionals {
                    invocation.command = try command(named: text)
                } else {
                    invocation.positionals.append(argument)
                }
                continue
            }
            if text == "--" {
                onlyPositionals = true
                continue
            }

            let specs = globalOptions + (invocation.command?.spec.options ?? [])
            if text.hasPrefix("--") {
                try parseLong(text, specs: specs, arguments: arguments, index: &index, into: &invocation)
            } else {
                try parseShort(text, specs: specs, arguments: arguments, index: &index, into: &invocation)
            }
        }
        return invocation
    }

    private func parseLong(
        _ text: String, specs: [OptionSpec], arguments: [Argument], index: inout Int, into invocation: inout Invocation
    ) throws(AftError) {
        let body = text.dropFirst(2)
        let name = body.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
        let inline: Argument? = body.contains("=") ? Argument(String(body.drop { $0 != "=" }.dropFirst())) : nil
        guard let spec = specs.first(where: { $0.long == name }) else {
            // Escaped, so that an option with a newline in it still makes a one-line error.
            let hint = name.first?.isNumber == true ? "; to pass an argument that starts with '-', put '--' before it" : suggestion(for: name, among: specs.map(\.long), prefix: "--")
            throw invocation.usageError("unknown option \(Escaping.display("--" + name))\(hint)")
        }
        if spec.takesValue {
            var value = inline
            if value == nil {
                value = try nextValue(for: "--\(name)", spec: spec, arguments: arguments, index: &index, invocation: invocation)
            }
            if let value { invocation.options[spec.long, default: []].append(value) }
        } else {
            guard inline == nil else {
                throw invocation.usageError("option --\(name) takes no value; remove the '=…'")
            }
            invocation.options[spec.long, default: []].append(Argument(""))
        }
    }

    private func parseShort(
        _ text: String, specs: [OptionSpec], arguments: [Argument], index: inout Int, into invocation: inout Invocation
    ) throws(AftError) {
        var letters = Substring(text.dropFirst())
        while let letter = letters.first {
            letters = letters.dropFirst()
            guard let spec = specs.first(where: { $0.short == letter }) else {
                let hint = letter.isNumber ? "; to pass an argument that starts with '-', put '--' before it" : ""
                throw invocation.usageError("unknown option \(Escaping.display("-" + String(letter)))\(hint)")
            }
            if spec.takesValue {
                let value = letters.isEmpty
                    ? try nextValue(for: "-\(letter)", spec: spec, arguments: arguments, index: &index, invocation: invocation)
                    : Argument(String(letters))
                if let value { invocation.options[spec.long, default: []].append(value) }
                return
            }
            invocation.options[spec.long, default: []].append(Argument(""))
        }
    }

    private func nextValue(
        for name: String, spec: OptionSpec, arguments: [Argument], index: inout Int, invocation: Invocation
    ) throws(AftError) -> Argument? {
        guard index < arguments.count else {
            throw invocation.usageError("option \(name) needs a value \(spec.valueName ?? "")")
        }
        index += 1
        return arguments[index - 1]
    }

    private func command(named name: String) throws(AftError) -> any Command.Type {
        for command in commands where command.spec.name == name {
            return command
        }
        let names = commands.map { $0.spec.name }
        if name == "version" {
            throw UsageError.make("unknown command \"version\"; did you mean 'aft --version'?", command: nil)
        }
        throw UsageError.make(
            "unknown command \(Escaping.quoted(name))\(suggestion(for: name, among: names, prefix: ""))",
            command: nil)
    }

    /// Builds a "did you mean" hint for a near miss, found by edit distance.
    private func suggestion(for name: String, among candidates: [String], prefix: String) -> String {
        // Case is ignored, so GET suggests get, and a swap of two neighbours costs one edit.
        let lowered = name.lowercased()
        let limit = max(1, lowered.count / 3)
        let scored = candidates.map { ($0, editDistance(lowered, $0.lowercased())) }.filter { $0.1 <= limit }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return "" }
        return "; did you mean '\(prefix)\(best.0)'?"
    }

    /// Computes the optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.
    private func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs)
        let b = Array(rhs)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
