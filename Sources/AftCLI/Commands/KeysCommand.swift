import AftEngine

/// `aft keys [PATTERN]`: lists keys that have a visible value.
enum KeysCommand: Command {
    static let spec = CommandSpec(
        name: "keys", arguments: "[PATTERN]",
        summary: "List keys with a visible value, in byte order, optionally matching a glob PATTERN.",
        discussion: [
            "PATTERN uses * for any run of characters, ? for one character, [abc] or [a-z] for a set, and \\ to escape. Keys whose newest visible version is a delete are left out. All keys are read in one read-atomic transaction.",
        ],
        examples: ["aft keys", "aft keys 'user:*'"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        guard invocation.positionals.count <= 1 else {
            throw invocation.usageError("keys takes at most one PATTERN, got \(invocation.positionals.count); quote the pattern so the shell does not expand it")
        }
        let pattern = invocation.positionals.first.map { GlobPattern(Array($0.text.unicodeScalars)) }
        if let pattern, let problem = pattern.problem {
            throw invocation.usageError("invalid pattern \(Escaping.quoted(invocation.positionals[0].bytes)): \(problem)")
        }
        let engine = try context.engine()
        let transaction = engine.begin(mode: context.options.mode)

        var cursor: Key?
        while true {
            let page = try engine.store.indexedKeys(after: cursor, limit: 500)
            guard let last = page.last else { break }
            for key in page where pattern?.matches(key.string) ?? true {
                guard try transaction.get(key).value != nil else { continue }
                if context.format == .json {
                    context.json([("key", .string(key.string))])
                } else {
                    context.output.line(Escaping.token(key.string))
                }
            }
            cursor = last
        }
    }
}

/// A shell-style glob: `*`, `?`, `[set]` and backslash escapes.
struct GlobPattern {
    let pattern: [Unicode.Scalar]

    init(_ pattern: [Unicode.Scalar]) {
        self.pattern = pattern
    }

    /// The reason the pattern is malformed, or nil when it is well formed.
    var problem: String? {
        var index = 0
        while index < pattern.count {
            switch pattern[index] {
            case "\\":
                guard index + 1 < pattern.count else { return "it ends with a lone backslash; write \\\\ for a backslash" }
                index += 2
            case "[":
                var end = index + 1
                if end < pattern.count, pattern[end] == "!" || pattern[end] == "^" { end += 1 }
                // A ] right after the opening bracket belongs to the set.
                if end < pattern.count, pattern[end] == "]" { end += 1 }
                while end < pattern.count, pattern[end] != "]" { end += 1 }
                guard end < pattern.count else { return "a [ set is not closed; close it with ], or write \\[ for a literal [" }
                index = end + 1
            default:
                index += 1
            }
        }
        return nil
    }

    func matches(_ text: String) -> Bool {
        matches(Array(text.unicodeScalars)[...], pattern[...])
    }

    private func matches(_ text: ArraySlice<Unicode.Scalar>, _ pattern: ArraySlice<Unicode.Scalar>) -> Bool {
        var text = text
        var pattern = pattern
        while let token = pattern.first {
            switch token {
            case "*":
                let rest = pattern.dropFirst()
                if rest.isEmpty { return true }
                var suffix = text
                while true {
                    if matches(suffix, rest) { return true }
                    guard !suffix.isEmpty else { return false }
                    suffix = suffix.dropFirst()
                }
            case "?":
                guard !text.isEmpty else { return false }
                text = text.dropFirst()
                pattern = pattern.dropFirst()
            case "[":
                guard let scalar = text.first, let (matched, rest) = matchSet(scalar, pattern.dropFirst()) else {
                    guard text.first == "[" else { return false }
                    text = text.dropFirst()
                    pattern = pattern.dropFirst()
                    continue
                }
                guard matched else { return false }
                text = text.dropFirst()
                pattern = rest
            default:
                var literal = token
                if token == "\\", let escaped = pattern.dropFirst().first {
                    literal = escaped
                    pattern = pattern.dropFirst()
                }
                guard text.first == literal else { return false }
                text = text.dropFirst()
                pattern = pattern.dropFirst()
            }
        }
        return text.isEmpty
    }

    /// Matches `scalar` against a set whose body follows `[`; nil when the set is not closed.
    private func matchSet(_ scalar: Unicode.Scalar, _ body: ArraySlice<Unicode.Scalar>) -> (Bool, ArraySlice<Unicode.Scalar>)? {
        var body = body
        var negated = false
        if body.first == "!" || body.first == "^" {
            negated = true
            body = body.dropFirst()
        }
        var matched = false
        var first = true
        while let current = body.first {
            if current == "]" && !first {
                return (matched != negated, body.dropFirst())
            }
            first = false
            body = body.dropFirst()
            if body.first == "-", let upper = body.dropFirst().first, upper != "]" {
                if current.value <= scalar.value && scalar.value <= upper.value { matched = true }
                body = body.dropFirst(2)
            } else if current == scalar {
                matched = true
            }
        }
        return nil
    }
}
