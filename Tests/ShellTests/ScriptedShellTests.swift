import Foundation
import Testing

/// The shell reading commands from a pipe, as a reproducible script.
@Suite struct ScriptedShellTests {
    func shell(_ scratch: Scratch, _ script: String, _ arguments: [String] = ["shell"]) throws -> PipedResult {
        try PipedRun.aft(arguments, stdin: script, environment: scratch.environment())
    }

    func value(_ scratch: Scratch, _ key: String) throws -> PipedResult {
        try PipedRun.aft(["get", key], stdin: "", environment: scratch.environment())
    }

    @Test func errorStopsScriptWithItsStatus() throws {
        let cases: [(script: String, status: Int32, message: String)] = [
            ("put a 1\nget nosuch\nput b 2\n", 1, "standard input line 2: key \"nosuch\" not found"),
            ("put a 1\nfrobnicate\nput b 2\n", 64, "standard input line 2: unknown command \"frobnicate\""),
            ("put a 1\nput \"bad\\q\" 1\nput b 2\n", 65, "standard input line 2: unknown escape \\q"),
            ("put a 1\nfault store.put=error\nput c 3\nfault clear\nput b 2\n", 75, "standard input line 3: injected error at store.put"),
            ("put a 1\ncommit\nput b 2\n", 64, "standard input line 2: no transaction is current"),
        ]
        for (script, status, message) in cases {
            let scratch = try Scratch()
            let result = try shell(scratch, script)
            #expect(result.status == status, "\(script.debugDescription): \(result)")
            #expect(result.stderr.hasPrefix("error: \(message)"), "\(script.debugDescription): \(result)")
            #expect(try value(scratch, "a").stdout == "1\n")
            #expect(try value(scratch, "b").status == 1, "the line after the error must not run: \(script.debugDescription)")
        }
    }

    @Test func keepGoingRunsEveryLine() throws {
        let scratch = try Scratch()
        let result = try shell(scratch, "put a 1\nget nosuch\nfrobnicate\nput b 2\n", ["shell", "--keep-going"])
        #expect(result.status == 1, "\(result)")
        let errors = result.stderr.split(separator: "\n").map(String.init)
        #expect(errors.first == "error: standard input line 2: key \"nosuch\" not found", "\(result)")
        #expect(errors.contains { $0.hasPrefix("error: standard input line 3: unknown command") }, "\(result)")
        #expect(errors.last == "aft shell: 2 of 4 commands failed; the first, on line 2, exited with status 1", "\(result)")
        #expect(try value(scratch, "b").stdout == "2\n")
    }

    @Test func commentsAndBlankLinesPrintNothing() throws {
        let scratch = try Scratch()
        let result = try shell(scratch, "# a demo\n\n   # indented comment\nput a 1 # trailing comment\nget a\n")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasSuffix("(1 key)\n1\n"), "\(result)")
        #expect(result.stdout.split(separator: "\n").count == 2, "\(result)")
        #expect(result.stderr.isEmpty, "\(result)")
    }

    @Test func noArgumentsReadsStandardInput() throws {
        let scratch = try Scratch()
        let result = try PipedRun.aft([], stdin: "put a 7\nget a\n", environment: scratch.environment())
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasSuffix("7\n"), "\(result)")
    }

    @Test func echoPrintsPromptsAndComments() throws {
        let scratch = try Scratch()
        let result = try shell(scratch, "# setup\nput y=1\nbegin t1\nget y\nput x 2\ncommit\n", ["shell", "--echo", "-q"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "# setup\naft> put y=1\naft> begin t1\naft t1 r0 w0> get y\n1\naft t1 r1 w0> put x 2\naft t1 r1 w1> commit\n", "\(result)")
    }

    @Test func namedTransactionsInterleave() throws {
        let scratch = try Scratch()
        let script = """
            put a=1
            begin t1
            put a 2
            begin t2
            get a
            transactions
            commit t1
            get a
            get -t t2 a
            use
            get a
            commit t2

            """
        let result = try shell(scratch, script, ["shell", "-q"])
        #expect(result.status == 0, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "\(result)")
        #expect(lines[0] == "1", "t2 does not see t1's staged write")
        #expect(lines[1].hasPrefix("  t1  "), "\(lines[1])")
        #expect(lines[1].hasSuffix("read-atomic  0 reads, 1 write"), "\(lines[1])")
        #expect(lines[2].hasPrefix("* t2  "), "\(lines[2])")
        #expect(lines[3] == "1", "t2 repeats its read after t1 commits")
        #expect(lines[4] == "1", "-t names an open transaction")
        #expect(lines[5] == "2", "a one-shot read sees t1's commit")
    }

    @Test func escapedTokensRoundTrip() throws {
        let scratch = try Scratch()
        let script = """
            put "a key \\"quoted\\"" "Zoë\\tsays \\\\hi\\\\\\n\\x01"
            keys
            get "a key \\"quoted\\""
            timeline "a key \\"quoted\\""

            """
        let result = try shell(scratch, script, ["shell", "-q"])
        #expect(result.status == 0, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let token = "\"a key \\\"quoted\\\"\""
        let value = "\"Zoë\\tsays \\\\hi\\\\\\n\\x01\""
        #expect(lines.first == token, "keys prints the key as a token: \(result)")
        #expect(lines.dropFirst().first == value, "get prints the value in the escape grammar: \(result)")
        let row = lines.first { $0.hasPrefix(token + "  ") }
        #expect(row?.contains(value.prefix(15)) == true, "timeline: \(result)")

        // What the shell printed, pasted back, stores the same bytes.
        let pasted = try shell(scratch, "put copy \(value)\nget copy\n", ["shell", "-q"])
        #expect(pasted.stdout == value + "\n", "\(pasted)")
        let raw = try PipedRun.aft(["--raw", "get", "copy"], stdin: "", environment: scratch.environment())
        #expect(Array(raw.stdout.utf8) == Array("Zoë\tsays \\hi\\\n\u{01}".utf8))
    }

    @Test func explainAndTimelineShowTheReadSkew() throws {
        let scratch = try Scratch()
        let script = "put a=50 b=50\nbegin t1\nget a\nbegin t2\nput a 25\nput b 75\ncommit\nuse t1\nget b\nexplain\ntimeline a b\n"
        let result = try shell(scratch, script, ["shell", "-q"])
        #expect(result.status == 0, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("b@") }, "\(result)")
        #expect(lines.contains { $0.hasSuffix(": the newest committed version that keeps the reads atomic") }, "\(result)")
        #expect(lines.contains { $0.contains(" skipped: ") }, "\(result)")
        #expect(lines.contains { $0.contains("also wrote a and you read a@") }, "\(result)")
        let timeline = lines.suffix(4)
        #expect(timeline.first?.hasSuffix("t2") == true, "\(result)")
        #expect(timeline.dropFirst().first?.hasSuffix("50 (read)  25") == true, "\(result)")
        #expect(timeline.last == "(read) marks the version t1 read", "\(result)")
    }

    @Test func crashKeepsStorageAsItWas() throws {
        let scratch = try Scratch()
        let script = "put a=1\nbegin t1\nput a 2\ncrash\ntransactions\nget a\n"
        let result = try shell(scratch, script)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("crashed: node "), "\(result)")
        #expect(result.stdout.contains("no open transactions"), "\(result)")
        #expect(result.stdout.hasSuffix("\n1\n"), "\(result)")

        // The dropped transaction still runs in storage, with its staged write, and can be committed by id.
        let began = result.stdout[result.stdout.range(of: "began t1 (")!.upperBound...]
        let id = String(began.prefix(8))
        let show = try PipedRun.aft(["show", id], stdin: "", environment: scratch.environment())
        #expect(show.stdout.contains("status       running"), "\(show)")
        #expect(show.stdout.contains("  a = 2"), "\(show)")
        let commit = try shell(scratch, "commit \(id)\nget a\n", ["shell", "-q"])
        #expect(commit.stdout == "2\n", "\(commit)")
    }

    @Test func crashFaultDropsNodeInsteadOfProcess() throws {
        let scratch = try Scratch()
        let script = "put a=1 b=1\nbegin t1\nfault write.after:2=crash\nput a=2 b=2\nfault\nget a b\n"
        let result = try shell(scratch, script, ["shell", "--keep-going"])
        #expect(result.status == 75, "\(result)")
        #expect(result.stderr.contains("standard input line 4: injected crash: node "), "\(result)")
        #expect(result.stderr.contains("t1 ("), "the crash names the dropped transaction: \(result)")
        #expect(result.stdout.contains("no faults armed"), "the new node starts without faults: \(result)")
        #expect(result.stdout.hasSuffix("a 1\nb 1\n"), "the half-written put stays invisible: \(result)")
    }

    @Test func shellRejectsStandardInputValues() throws {
        let scratch = try Scratch()
        for line in ["put k -", "put k=-", "txn", "txn -"] {
            let result = try shell(scratch, line + "\n")
            #expect(result.status == 64, "\(line): \(result)")
            #expect(result.stderr.contains("standard input carries commands"), "\(line): \(result)")
        }
        let literal = try shell(scratch, "put --literal k -\nget k\n", ["shell", "-q"])
        #expect(literal.stdout == "-\n", "\(literal)")
    }

    @Test func sessionOptionsApplyToEveryLine() throws {
        let scratch = try Scratch()
        let json = try PipedRun.aft(["--json", "shell"], stdin: "put a 1\nget a\n--raw get a\n", environment: scratch.environment())
        #expect(json.status == 0, "\(json)")
        let lines = json.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasPrefix("{\"status\":\"committed\""), "\(json)")
        #expect(lines[1].hasPrefix("{\"key\":\"a\",\"found\":true"), "\(json)")
        #expect(lines[2] == "1", "a line's --raw replaces the shell's --json: \(json)")

        let store = try shell(scratch, "--store memory: get a\n")
        #expect(store.status == 64, "\(store)")
        #expect(store.stderr.contains("--store applies to the whole shell"), "\(store)")

        let lww = try PipedRun.aft(["--consistency", "lww", "shell", "-q"], stdin: "begin t1\ntransactions\nbegin --consistency read-atomic t2\ntransactions\n", environment: scratch.environment())
        let listed = lww.stdout.split(separator: "\n")
        #expect(listed.contains { $0.hasPrefix("  t1  ") && $0.contains("  lww  ") }, "t1 has the shell's mode: \(lww)")
        #expect(listed.contains { $0.hasPrefix("* t2  ") && $0.contains("  read-atomic  ") }, "t2 has the line's mode: \(lww)")
    }

    @Test func shellHelpListsShellCommands() throws {
        let scratch = try Scratch()
        let result = try shell(scratch, "help\nhelp timeline\nhelp exit-codes\n")
        #expect(result.status == 0, "\(result)")
        for name in ["begin", "use", "transactions", "explain", "timeline", "fault", "crash", "exit", "get", "history"] {
            #expect(result.stdout.contains("\n  \(name) "), "help lists \(name)")
        }
        #expect(result.stdout.contains("usage: aft timeline [--limit N] KEY…"), "\(result)")
        #expect(result.stdout.contains("  75  transaction aborted and safe to retry"), "\(result)")
    }
}
