import Foundation
import Testing

/// A stored value and the text `aft get` prints for it.
struct PrintedValue: Sendable, CustomTestStringConvertible {
    let bytes: [UInt8]
    let printed: String

    init(_ text: String, printed: String) {
        bytes = Array(text.utf8)
        self.printed = printed
    }

    init(bytes: [UInt8], printed: String) {
        self.bytes = bytes
        self.printed = printed
    }

    var testDescription: String { printed }

    static let all: [PrintedValue] = [
        PrintedValue("line\nbreak", printed: #""line\nbreak""#),
        PrintedValue("x\0y\n", printed: #""x\0y\n""#),
        PrintedValue("tab\there\r\n", printed: #""tab\there\r\n""#),
        PrintedValue("\"starts with a quote", printed: #""\"starts with a quote""#),
        PrintedValue("bell\u{7}and\u{1B}escape", printed: #""bell\x07and\x1bescape""#),
        PrintedValue("right\u{202E}to-left override", printed: #""right\u{202e}to-left override""#),
        PrintedValue("zero\u{200B}width", printed: #""zero\u{200b}width""#),
        PrintedValue(bytes: [0xFF, 0x00, 0x41, 0xC3], printed: #""\xff\0A\xc3""#),
        PrintedValue("", printed: #""""#),
        PrintedValue("plain text", printed: "plain text"),
        PrintedValue(" leading and trailing ", printed: " leading and trailing "),
        PrintedValue("back\\slash", printed: #"back\slash"#),
        PrintedValue("literal \\n, not a newline", printed: #"literal \n, not a newline"#),
        PrintedValue("inner \"quotes\"", printed: #"inner "quotes""#),
        PrintedValue("日本語 😀", printed: "日本語 😀"),
    ]
}

@Suite("escape grammar")
struct EscapeGrammarTests {
    @Test(arguments: PrintedValue.all)
    func printedValuePastesBack(_ value: PrintedValue) throws {
        let sandbox = try Sandbox()
        try sandbox.write(value.bytes, to: "value.bin")
        expectSuccess(sandbox.aft("put", "original", "@value.bin"))

        let get = sandbox.aft("get", "original")
        expectSuccess(get)
        #expect(get.output == value.printed + "\n")

        let paste = sandbox.aft("put", "-e", "copy", value.printed)
        expectSuccess(paste)
        let copy = sandbox.aft("--raw", "get", "copy")
        #expect(copy.stdout == value.bytes)
    }

    @Test func putEscapesDecodesQuotedValue() throws {
        let sandbox = try Sandbox()

        expectSuccess(sandbox.aft("put", "--escapes", "k", #""line\nnext \x41\u{1F600}\\ \"q\"""#))

        #expect(sandbox.aft("--raw", "get", "k").stdout == Array("line\nnext A😀\\ \"q\"".utf8))
    }

    @Test func putEscapesInPairs() throws {
        let sandbox = try Sandbox()

        expectSuccess(sandbox.aft("put", "-e", #"a="1\t2""#, #"b="\0""#))

        #expect(sandbox.aft("--raw", "get", "a").stdout == Array("1\t2".utf8))
        #expect(sandbox.aft("--raw", "get", "b").stdout == [0])
    }

    @Test(arguments: [
        (#""a\qb""#, #"\q"#),
        (#""unterminated"#, "unterminated"),
        (#""bad \x4""#, #"\x4"#),
        (#""bad \u{110000}""#, #"\u"#),
        (#""dangling \""#, "dangling"),
    ])
    func putEscapesRejectsMalformedValue(_ written: String, _ named: String) throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "k", "before"))
        let before = try sandbox.snapshot()

        let put = sandbox.aft("put", "-e", "k", written)

        expectFailure(put, status: 65, mentioning: [named])
        #expect(try sandbox.snapshot() == before)
    }
}
