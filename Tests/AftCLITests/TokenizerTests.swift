@testable import AftCLI
import AftEngine
import Testing

@Suite struct TokenizerTests {
    @Test func splitsOnSpacesAndTabs() throws {
        let tokens = try Tokenizer.tokenize("put  a\tb")
        #expect(tokens.map(\.text) == ["put", "a", "b"])
    }

    @Test func quotedTokenKeepsSpacesAndEscapes() throws {
        let tokens = try Tokenizer.tokenize("put \"my key\" \"line\\nnext\"")
        #expect(tokens.map(\.bytes) == [Array("put".utf8), Array("my key".utf8), Array("line\nnext".utf8)])
    }

    @Test func hashStartsComment() throws {
        #expect(try Tokenizer.tokenize("get a # trailing").map(\.text) == ["get", "a"])
        #expect(try Tokenizer.tokenize("# whole line").isEmpty)
        #expect(try Tokenizer.tokenize("get a#b").map(\.text) == ["get", "a#b"])
    }

    @Test func rejectsUnterminatedQuote() {
        #expect(throws: AftError.self) { try Tokenizer.tokenize("put \"open value") }
    }

    @Test func rejectsTextGluedToClosingQuote() {
        #expect(throws: AftError.self) { try Tokenizer.tokenize("put \"a\"b c") }
    }

    @Test func stripsCarriageReturn() throws {
        #expect(try Tokenizer.tokenize("get a\r").map(\.text) == ["get", "a"])
    }
}

@Suite struct TransactionScriptTests {
    @Test func parsesEveryStatement() throws {
        let steps = try TransactionScript.parse(Array("get a\n\nput \"b c\" 1\n# note\ndel d\n".utf8), name: "script")
        #expect(steps.map(\.line) == [1, 3, 5])
        #expect(steps.map(\.operation) == [.get(Key(trusted: "a")), .put(Key(trusted: "b c"), [49]), .delete(Key(trusted: "d"))])
    }

    @Test func malformedLineNamesLineNumber() {
        #expect {
            _ = try TransactionScript.parse(Array("put a 1\nput b\n".utf8), name: "script")
        } throws: { error in
            let error = error as? AftError
            return error?.kind == .invalidInput && error?.message.hasPrefix("script line 2:") == true
        }
    }

    @Test func unknownStatementIsRejected() {
        #expect(throws: AftError.self) { _ = try TransactionScript.parse(Array("set a 1".utf8), name: "s") }
    }

    @Test func invalidUTF8ScriptIsRejected() {
        #expect(throws: AftError.self) { _ = try TransactionScript.parse([0x67, 0x65, 0x74, 0x20, 0xFF], name: "s") }
    }
}
