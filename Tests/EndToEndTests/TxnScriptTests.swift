import Foundation
import Testing

/// A script with one malformed line, and the line number aft must name.
struct MalformedScript: Sendable, CustomTestStringConvertible {
    let script: String
    let line: Int
    /// A fragment of the error that names what is wrong.
    let names: String

    var testDescription: String { script.debugDescription }

    static let all: [MalformedScript] = [
        MalformedScript(script: "frobnicate x\nput a 1\nput b 2\n", line: 1, names: "\"frobnicate\""),
        MalformedScript(script: "put a 1\nput b\nput c 3\n", line: 2, names: "'put' takes KEY VALUE"),
        MalformedScript(script: "put a 1\nput b 2\nbogus\n", line: 3, names: "\"bogus\""),
        MalformedScript(script: "put a 1\nput b 2\nput c", line: 3, names: "'put' takes KEY VALUE"),
        MalformedScript(script: "put a 1\n\n# comment\nput b \"unterminated\n", line: 4, names: "unterminated"),
        MalformedScript(script: "put a 1\nput b \"bad \\q escape\"\n", line: 2, names: "\\q"),
        MalformedScript(script: "put a 1\nput \"\\xff\" v\n", line: 2, names: "UTF-8"),
        MalformedScript(script: "put a 1\ndel \"\"\n", line: 2, names: "empty"),
        MalformedScript(script: "put a 1\nget a b\n", line: 2, names: "'get' takes KEY"),
        MalformedScript(script: "put a 1\nput b \"2\"x\n", line: 2, names: "closing quote"),
    ]
}

@Suite("txn scripts")
struct TxnScriptTests {
    static let script = """
        # move the balance
        put alice 90
        put "bob smith" "line\\nnext"
        get alice
        get missing
        del old

        """

    @Test func txnRunsScriptFromStandardInput() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "old", "x"))

        let txn = sandbox.aft("txn", stdin: Self.script)

        #expect(txn.status == 0, "\(txn)")
        #expect(txn.outputLines.count == 2)
        #expect(txn.outputLines.first == "90")
        #expect(txn.outputLines.last?.wholeMatch(of: StatusLine.committed(keys: 3)) != nil, "\(txn)")
        #expect(txn.errorLines == ["note: line 5: key \"missing\" not found"])
        #expect(sandbox.aft("get", "alice", "bob smith").output == "alice 90\n\"bob smith\" \"line\\nnext\"\n")
        expectFailure(sandbox.aft("get", "old"), status: 1, mentioning: ["not found"])
        let log = try jsonObjects(sandbox.aft("--json", "log"))
        #expect(log.first?["keys"] as? [String] == ["alice", "bob smith", "old"])
    }

    @Test func txnRunsScriptFromFile() throws {
        let sandbox = try Sandbox()
        let path = try sandbox.write(Array("put a 1\nput b 2\r\nget b\n".utf8), to: "script.txt")

        let txn = sandbox.aft("txn", path)

        expectSuccess(txn)
        #expect(txn.outputLines.first == "2")
        #expect(sandbox.aft("get", "a", "b").output == "a 1\nb 2\n")
        let dash = sandbox.aft("txn", "-", stdin: "put c 3\n")
        expectSuccess(dash)
        #expect(sandbox.aft("get", "c").output == "3\n")
    }

    @Test func txnJSONOutput() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "a", "1"))

        let txn = sandbox.aft("--json", "txn", stdin: "get a\nput b \"\\xff\"\nget b\nget none\n")

        expectSuccess(txn)
        let objects = try jsonObjects(txn)
        #expect(objects.count == 4)
        #expect(objects[0]["key"] as? String == "a")
        #expect(objects[0]["value"] as? String == "1")
        #expect(objects[0]["version"] is String)
        #expect(objects[1]["key"] as? String == "b")
        #expect(try valueBytes(objects[1]) == [0xFF])
        #expect(objects[1]["version"] is NSNull)
        #expect(objects[2]["key"] as? String == "none")
        #expect(objects[2]["found"] as? Bool == false)
        #expect(objects[3]["status"] as? String == "committed")
        #expect(objects[3]["keys"] as? [String] == ["b"])
    }

    @Test func txnRawOutputPrintsValueBytes() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "a=1", "b=2"))

        let txn = sandbox.aft("--raw", "-q", "txn", stdin: "get a\nget b\n")

        expectSuccess(txn)
        #expect(txn.output == "12")
    }

    @Test func txnReadOnlyScriptCommitsNothing() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "a", "1"))

        let txn = sandbox.aft("txn", stdin: "get a\n")

        expectSuccess(txn)
        #expect(txn.output == "1\n")
        #expect(try jsonObjects(sandbox.aft("--json", "log")).count == 1)
    }

    @Test(arguments: MalformedScript.all)
    func txnMalformedLineWritesNothing(_ malformed: MalformedScript) throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "a=before", "c=before"))
        let before = try sandbox.snapshot()

        let piped = sandbox.aft("txn", stdin: malformed.script)
        expectFailure(piped, status: 65, mentioning: ["standard input line \(malformed.line):", malformed.names])

        try sandbox.write(Array(malformed.script.utf8), to: "script.txt")
        let fromFile = sandbox.aft("txn", "script.txt")
        expectFailure(fromFile, status: 65, mentioning: ["script.txt line \(malformed.line):", malformed.names])

        #expect(try sandbox.snapshot() == before)
    }

    @Test func txnInvalidUTF8ScriptRejected() throws {
        let sandbox = try Sandbox()
        let before = try sandbox.snapshot()

        let txn = sandbox.aft(["txn"], stdin: Array("put a 1\nput b ".utf8) + [0xFF, 0x0A])

        expectFailure(txn, status: 65, mentioning: ["standard input", "UTF-8"])
        #expect(try sandbox.snapshot() == before)
    }

    @Test func txnMissingFileExits66() throws {
        let sandbox = try Sandbox()

        let txn = sandbox.aft("txn", "no-such-script.txt")

        expectFailure(txn, status: 66, mentioning: ["\"no-such-script.txt\""])
    }

    @Test func txnInsideRegisteredTransactionStages() throws {
        let sandbox = try Sandbox()
        let id = try RegisteredTransactionTests.begin(sandbox)

        let txn = sandbox.aft("txn", "-t", id, stdin: "put a 1\nput b 2\n")

        expectSuccess(txn)
        expectFailure(sandbox.aft("get", "a"), status: 1, mentioning: ["not found"])
        expectSuccess(sandbox.aft("commit", id))
        #expect(sandbox.aft("get", "a", "b").output == "a 1\nb 2\n")
    }
}
