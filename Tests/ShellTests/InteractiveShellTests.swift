import Foundation
import Testing

/// The shell at a terminal, driven through a pseudo-terminal.
@Suite struct InteractiveShellTests {
    /// Starts `aft shell` on a pseudo-terminal over the scratch store and waits for the first prompt.
    func startShell(_ scratch: Scratch, _ arguments: [String] = ["shell"], environment: [String: String] = [:]) throws -> TerminalSession {
        let terminal = try TerminalSession(arguments, environment: scratch.environment(environment))
        #expect(terminal.waitFor("aft> "), "no prompt; transcript: \(terminal.transcript.debugDescription)")
        return terminal
    }

    func seed(_ scratch: Scratch, _ script: String) throws {
        let result = try PipedRun.aft(["shell"], stdin: script, environment: scratch.environment())
        try #require(result.status == 0, "\(result)")
    }

    @Test func promptShowsNameAndCounts() throws {
        let scratch = try Scratch()
        try seed(scratch, "put y=5 z=6\n")
        let terminal = try startShell(scratch)

        #expect(terminal.run("begin t1", expecting: "aft t1 r0 w0> "))
        #expect(terminal.run("get y", expecting: "aft t1 r1 w0> "))
        #expect(terminal.run("put x 1", expecting: "aft t1 r1 w1> "))
        #expect(terminal.run("get z", expecting: "aft t1 r2 w1> "))
        #expect(terminal.run("begin --consistency lww t2", expecting: "aft t2 lww r0 w0> "))
        #expect(terminal.run("use t1", expecting: "aft t1 r2 w1> "))
        #expect(terminal.run("use", expecting: "\naft> "))
        terminal.type("exit\r")
        #expect(terminal.waitForExit() == 0)
    }

    @Test func promptMarksAbortedTransaction() throws {
        let scratch = try Scratch()
        try seed(scratch, "put y=5\n")
        let terminal = try startShell(scratch)
        let start = terminal.mark
        terminal.type("begin t1\r")
        #expect(terminal.waitFor("aft t1 r0 w0> ", after: start))

        // Another process aborts t1 by id; the shell finds out at t1's next operation.
        let began = terminal.transcript[terminal.transcript.range(of: "began t1 (")!.upperBound...]
        let id = String(began.prefix(8))
        let abort = try PipedRun.aft(["abort", id], stdin: "", environment: scratch.environment())
        #expect(abort.status == 0, "\(abort)")
        #expect(terminal.run("get y", expecting: "aborted by another process"))
        #expect(terminal.waitFor(" aborted> "))
        terminal.type("\u{04}")
        #expect(terminal.waitForExit() == 0)
    }

    @Test func lineEditingKeysEditTheLine() throws {
        let scratch = try Scratch()
        let terminal = try startShell(scratch)

        // Typed as "ut k vaX", fixed with Backspace, then Ctrl-A to the start to add the "p".
        let start = terminal.mark
        terminal.type("ut k vaX")
        #expect(terminal.waitFor("vaX", after: start))
        terminal.type("\u{7F}\u{01}p\u{05}l\r")
        #expect(terminal.waitFor("committed", after: start))
        #expect(terminal.run("get k", expecting: "val\r\n"))
        terminal.type("\u{04}")
        #expect(terminal.waitForExit() == 0)
    }

    @Test func tabCompletesCommandsAndKeys() throws {
        let scratch = try Scratch()
        try seed(scratch, "put xylophone 1\nput \"my key\" 2\n")
        let terminal = try startShell(scratch)

        // libedit redraws with cursor moves, so the test checks what the completed line does.
        var start = terminal.mark
        terminal.type("hist\txyl\t\r")
        #expect(terminal.waitFor("  1\r\n", after: start), "history of xylophone; \(terminal.transcript.debugDescription)")

        // A key with a space completes to its quoted token.
        start = terminal.mark
        terminal.type("get my\t")
        #expect(terminal.waitFor("\"my key\" ", after: start), "\(terminal.transcript.debugDescription)")
        terminal.type("\r")
        #expect(terminal.waitFor("2\r\n", after: start))

        // Open transaction names complete after use.
        #expect(terminal.run("begin teacher", expecting: "aft teacher r0 w0> "))
        #expect(terminal.run("use", expecting: "aft> "))
        start = terminal.mark
        terminal.type("use tea\t\r")
        #expect(terminal.waitFor("aft teacher r0 w0> ", after: start))

        // Several matches are listed below the line.
        start = terminal.mark
        terminal.type("t\t")
        #expect(terminal.waitFor("timeline", after: start), "\(terminal.transcript.debugDescription)")
        #expect(terminal.waitFor("transactions", after: start))
        terminal.type("\u{03}")
        terminal.type("exit\r")
        #expect(terminal.waitForExit() == 0)
    }

    @Test func ctrlCClearsLineAndKeepsShell() throws {
        let scratch = try Scratch()
        let terminal = try startShell(scratch)

        let start = terminal.mark
        terminal.type("put lost 1")
        #expect(terminal.waitFor("put lost 1", after: start))
        terminal.type("\u{03}")
        #expect(terminal.waitFor("aft> ", after: start + 10))

        #expect(terminal.run("get lost", expecting: "key \"lost\" not found"), "the cleared line must not have run")
        #expect(terminal.run("put kept 2", expecting: "committed"))
        terminal.type("\u{04}")
        #expect(terminal.waitForExit() == 0)
    }

    @Test func ctrlCStopsRunningCommand() throws {
        let scratch = try Scratch()
        let terminal = try startShell(scratch)

        let start = terminal.mark
        terminal.type("log --follow\r")
        Thread.sleep(forTimeInterval: 0.5)
        terminal.type("\u{03}")
        #expect(terminal.waitFor("interrupted", after: start), "\(terminal.transcript.debugDescription)")
        #expect(terminal.waitFor("aft> ", after: start))
        #expect(terminal.run("put after 1", expecting: "committed"))
        terminal.type("exit\r")
        #expect(terminal.waitForExit() == 0)
    }

    @Test func ctrlDNamesOpenTransactions() throws {
        let scratch = try Scratch()
        let terminal = try startShell(scratch)
        #expect(terminal.run("begin t1", expecting: "aft t1 r0 w0> "))
        #expect(terminal.run("begin t2", expecting: "aft t2 r0 w0> "))
        #expect(terminal.run("begin t3", expecting: "aft t3 r0 w0> "))
        #expect(terminal.run("commit", expecting: "aft> "))

        let start = terminal.mark
        terminal.type("\u{04}")
        #expect(terminal.waitForExit() == 0)
        let farewell = String(terminal.transcript.dropFirst(start))
        #expect(farewell.contains("leaving 2 transactions open: t1 ("), "\(farewell.debugDescription)")
        #expect(farewell.contains("t2 ("), "\(farewell.debugDescription)")
        #expect(!farewell.contains("t3"), "\(farewell.debugDescription)")
    }

    @Test func noArgumentsOpensShellOnTerminal() throws {
        let scratch = try Scratch()
        let terminal = try startShell(scratch, [])
        #expect(terminal.run("put a 1", expecting: "committed"))
        terminal.type("quit\r")
        #expect(terminal.waitForExit() == 0)
    }

    @Test func historyFileIsPrivateAndSkipsPasswords() throws {
        let scratch = try Scratch()
        let terminal = try startShell(scratch)
        #expect(terminal.run("put plain 1", expecting: "committed"))
        #expect(terminal.run("put note redis://reader:hunter2@localhost:6379", expecting: "committed"))
        #expect(terminal.run("put auth swordfish", expecting: "committed"))
        terminal.type("\u{04}")
        #expect(terminal.waitForExit() == 0)

        let attributes = try FileManager.default.attributesOfItem(atPath: scratch.historyPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let history = try String(contentsOfFile: scratch.historyPath, encoding: .utf8)
        #expect(history == "put plain 1\n")

        // The next shell starts with that history: Up brings the line back.
        let again = try startShell(scratch)
        let start = again.mark
        again.type("\u{1B}[A\r")
        #expect(again.waitFor("committed", after: start), "\(again.transcript.debugDescription)")
        again.type("\u{04}")
        #expect(again.waitForExit() == 0)
        #expect(try String(contentsOfFile: scratch.historyPath, encoding: .utf8) == "put plain 1\nput plain 1\n")
    }

    @Test func historyOffWritesNothing() throws {
        let scratch = try Scratch()
        for (arguments, environment) in [(["shell", "--no-history"], [:]), (["shell"], ["AFT_HISTFILE": "/dev/null"])] {
            let terminal = try startShell(scratch, arguments, environment: environment)
            #expect(terminal.run("put a 1", expecting: "committed"))
            terminal.type("\u{04}")
            #expect(terminal.waitForExit() == 0)
            #expect(!FileManager.default.fileExists(atPath: scratch.historyPath), "\(arguments) \(environment)")
        }
        let custom = scratch.directory.appendingPathComponent("custom-history").path
        let terminal = try startShell(scratch, ["shell"], environment: ["AFT_HISTFILE": custom])
        #expect(terminal.run("put b 2", expecting: "committed"))
        terminal.type("\u{04}")
        #expect(terminal.waitForExit() == 0)
        #expect(try String(contentsOfFile: custom, encoding: .utf8) == "put b 2\n")
    }
}
