@testable import AftCLI
import AftEngine
import Testing

@Suite struct ArgumentParserTests {
    let parser = ArgumentParser(commands: CommandTable.all, globalOptions: GlobalOptions.specs)

    func parse(_ words: String...) throws -> Invocation {
        try parser.parse(words.map(Argument.init))
    }

    @Test func globalOptionsBeforeAndAfterCommand() throws {
        let invocation = try parse("--store", "memory:", "get", "k", "--json")
        #expect(invocation.command?.spec.name == "get")
        #expect(invocation.value("store")?.text == "memory:")
        #expect(invocation.flag("json"))
        #expect(invocation.positionals.map(\.text) == ["k"])
    }

    @Test func inlineAndShortValues() throws {
        let invocation = try parse("get", "--transaction=ab12", "-tcd34", "k")
        #expect(invocation.values("transaction").map(\.text) == ["ab12", "cd34"])
    }

    @Test func doubleDashEndsOptions() throws {
        let invocation = try parse("put", "k", "--", "-5")
        #expect(invocation.positionals.map(\.text) == ["k", "-5"])
    }

    @Test func loneDashIsAnArgument() throws {
        #expect(try parse("put", "k", "-").positionals.map(\.text) == ["k", "-"])
    }

    @Test func unknownCommandSuggestsNearest() {
        #expect {
            _ = try parse("gte", "k")
        } throws: { error in
            let error = error as? AftError
            return error?.kind == .usage && error?.message.hasPrefix("unknown command \"gte\"; did you mean 'get'?") == true
        }
    }

    @Test func unknownOptionNamesCommandUsage() {
        #expect {
            _ = try parse("get", "--explian", "k")
        } throws: { error in
            let message = (error as? AftError)?.message ?? ""
            return message.contains("did you mean '--explain'?") && message.contains("usage: aft get")
        }
    }

    @Test func negativeNumberHintsDoubleDash() {
        #expect {
            _ = try parse("put", "k", "-5")
        } throws: { error in
            ((error as? AftError)?.message ?? "").contains("put '--' before it")
        }
    }

    @Test func missingOptionValueIsUsageError() {
        #expect(throws: AftError.self) { _ = try parse("get", "k", "--store") }
    }

    @Test func flagRejectsInlineValue() {
        #expect(throws: AftError.self) { _ = try parse("get", "--json=yes", "k") }
    }
}

@Suite struct PutArgumentTests {
    func pairs(_ words: String...) throws -> [(String, String)] {
        var invocation = Invocation()
        invocation.command = PutCommand.self
        invocation.positionals = words.map(Argument.init)
        return try PutCommand.parsePairs(invocation).map { (String(decoding: $0.0, as: UTF8.self), String(decoding: $0.1, as: UTF8.self)) }
    }

    @Test func keyValueForm() throws {
        let result = try pairs("k", "v")
        #expect(result.map(\.0) == ["k"])
        #expect(result.map(\.1) == ["v"])
    }

    @Test func pairFormSplitsAtFirstEquals() throws {
        let result = try pairs("a=1", "b=x=y")
        #expect(result.map(\.0) == ["a", "b"])
        #expect(result.map(\.1) == ["1", "x=y"])
    }

    @Test func keyWithEqualsInKeyValueForm() throws {
        let result = try pairs("a=b", "value")
        #expect(result.map(\.0) == ["a=b"])
        #expect(result.map(\.1) == ["value"])
    }

    @Test func lonelyKeyIsUsageError() {
        #expect(throws: AftError.self) { _ = try pairs("k") }
        #expect(throws: AftError.self) { _ = try pairs("a", "b", "c") }
    }
}

@Suite struct GlobPatternTests {
    func matches(_ pattern: String, _ text: String) -> Bool {
        GlobPattern(Array(pattern.unicodeScalars)).matches(text)
    }

    @Test func starAndQuestionMark() {
        #expect(matches("user:*", "user:42"))
        #expect(matches("*", ""))
        #expect(!matches("user:*", "users"))
        #expect(matches("a?c", "abc"))
        #expect(!matches("a?c", "ac"))
    }

    @Test func setsAndRanges() {
        #expect(matches("k[0-9]", "k7"))
        #expect(!matches("k[!0-9]", "k7"))
        #expect(matches("[ab]x", "bx"))
    }

    @Test func escapedStarIsLiteral() {
        #expect(matches("a\\*", "a*"))
        #expect(!matches("a\\*", "ab"))
    }

    @Test func unclosedSetIsAProblem() {
        #expect(GlobPattern(Array("[a-".unicodeScalars)).problem != nil)
        #expect(GlobPattern(Array("a\\".unicodeScalars)).problem != nil)
        #expect(GlobPattern(Array("[]a]*".unicodeScalars)).problem == nil)
        #expect(GlobPattern(Array("user:*".unicodeScalars)).problem == nil)
    }

    @Test func matchesNonASCII() {
        #expect(matches("日*", "日本語"))
        #expect(matches("?本語", "日本語"))
    }
}

@Suite struct SuggestionTests {
    let parser = ArgumentParser(commands: CommandTable.all, globalOptions: GlobalOptions.specs)

    func message(_ words: String...) -> String {
        do {
            _ = try parser.parse(words.map(Argument.init))
            return ""
        } catch {
            return error.message
        }
    }

    @Test func upperCaseCommandSuggestsLowerCase() {
        #expect(message("GET", "k").contains("did you mean 'get'?"))
    }

    @Test func swappedLettersSuggestCommand() {
        #expect(message("lgo").contains("did you mean 'log'?"))
    }

    @Test func unrelatedWordGetsNoSuggestion() {
        #expect(!message("foo").contains("did you mean"))
    }

    @Test func doubleDashNumberHintsSeparator() {
        #expect(message("put", "k", "--5").contains("put '--' before it"))
    }
}
