import Foundation
import Testing

@Suite("help, version, quiet, verbose and closed pipes")
struct OutputBehaviourTests {
    static let commands = ["get", "put", "del", "txn", "begin", "commit", "abort", "history", "log", "show", "keys", "stats", "help"]

    @Test func versionPrintsVersion() throws {
        let sandbox = try Sandbox()

        let version = sandbox.aft("--version")

        expectSuccess(version)
        #expect(version.output.wholeMatch(of: /aft \d+\.\d+\.\d+\n/) != nil, "\(version)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.storePath))
    }

    @Test func helpOverviewListsCommandsAndExitStatuses() throws {
        let sandbox = try Sandbox()

        let help = sandbox.aft("--help")

        expectSuccess(help)
        #expect(help.output.contains("usage: aft [OPTIONS] COMMAND [ARGUMENTS]"))
        for command in Self.commands {
            #expect(help.output.contains("\n  \(command) "), "missing \(command)")
        }
        for status in ["0", "1", "64", "65", "66", "69", "74", "75", "77"] {
            #expect(help.output.contains("\n  \(status) "), "missing exit status \(status)")
        }
        #expect(sandbox.aft("help").stdout == help.stdout)
        #expect(sandbox.aft("-h").stdout == help.stdout)
        #expect(!FileManager.default.fileExists(atPath: sandbox.storePath))
    }

    @Test(arguments: commands)
    func helpForCommand(_ command: String) throws {
        let sandbox = try Sandbox()

        let help = sandbox.aft("help", command)

        expectSuccess(help)
        #expect(help.output.contains("\nusage: aft \(command)"), "\(help)")
        #expect(sandbox.aft(command, "--help").stdout == help.stdout)
        #expect(sandbox.aft(command, "-h").stdout == help.stdout)
    }

    @Test func helpExitCodes() throws {
        let sandbox = try Sandbox()

        let help = sandbox.aft("help", "exit-codes")

        expectSuccess(help)
        let lines = help.outputLines
        #expect(lines.first == "exit status:")
        #expect(lines.contains { $0.hasPrefix("  64  usage error") })
        #expect(lines.contains { $0.hasPrefix("  65  bad input data") })
        #expect(lines.contains { $0.hasPrefix("  75  transaction aborted") })
    }

    @Test func helpUnknownTopicRejected() throws {
        let sandbox = try Sandbox()

        expectFailure(sandbox.aft("help", "frobnicate"), status: 64, mentioning: ["\"frobnicate\""])
        expectFailure(sandbox.aft("help", "get", "put"), status: 64, mentioning: ["at most one topic"])
    }

    @Test func quietSuppressesStatusLines() throws {
        let sandbox = try Sandbox()

        for arguments in [["put", "a=1", "b=2"], ["del", "b"], ["put", "c", "-"]] {
            let result = sandbox.aft(["-q"] + arguments, stdin: Array("3".utf8))
            expectSuccess(result)
            #expect(result.stdout.isEmpty, "\(result)")
        }
        let txn = sandbox.aft("--quiet", "txn", stdin: "put d 4\nget d\n")
        expectSuccess(txn)
        #expect(txn.output == "4\n")

        let begin = sandbox.aft("-q", "begin")
        expectSuccess(begin)
        let id = try #require(begin.outputLines.first)
        #expect(id.wholeMatch(of: /[0-9a-f]{32}/) != nil, "begin prints its id even with -q: \(begin)")
        let staged = sandbox.aft("-q", "put", "-t", id, "e", "5")
        expectSuccess(staged)
        #expect(staged.stdout.isEmpty)
        let commit = sandbox.aft("-q", "commit", id)
        expectSuccess(commit)
        #expect(commit.stdout.isEmpty)
        let other = try RegisteredTransactionTests.begin(sandbox)
        let abort = sandbox.aft("-q", "abort", other)
        expectSuccess(abort)
        #expect(abort.stdout.isEmpty)

        #expect(sandbox.aft("-q", "get", "a", "c", "d", "e").output == "a 1\nc 3\nd 4\ne 5\n")
        expectFailure(sandbox.aft("-q", "get", "b"), status: 1, mentioning: ["\"b\"", "not found"])
    }

    @Test func verboseLogsToStandardErrorOnly() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "k", "v"))

        let verbose = sandbox.aft("-v", "get", "k")

        #expect(verbose.status == 0)
        #expect(verbose.output == "v\n")
        #expect(verbose.errorLines.contains("aft: opened store sqlite:\(sandbox.storePath)"), "\(verbose)")
        #expect(verbose.errorLines.allSatisfy { $0.hasPrefix("aft: ") })
    }

    @Test func closedPipeEndsQuietly() throws {
        let sandbox = try Sandbox()
        // Thirty commits of forty 400-byte keys make about 500 KB of log, far more than
        // a pipe buffer holds, so aft is still writing when head exits.
        let padding = String(repeating: "p", count: 400)
        for commit in 0..<30 {
            let pairs = (0..<40).map { "key-\(commit)-\($0)-\(padding)=\($0)" }
            let put = sandbox.aft(["-q", "put"] + pairs)
            try #require(put.status == 0, "\(put)")
        }

        for command in ["log", "--json log", "keys", "--json keys", "history key-0-0-\(padding)"] {
            let pipeline = sandbox.shell("{ \"$AFT\" \(command); echo $? > status; } | head -n 1")
            #expect(pipeline.status == 0, "\(command): \(pipeline)")
            #expect(pipeline.stderr.isEmpty, "\(command): \(pipeline)")
            #expect(pipeline.outputLines.count == 1, "\(command): \(pipeline)")
            let status = sandbox.contents(of: sandbox.path("status")).map { String(decoding: $0, as: UTF8.self) }
            #expect(status == "0\n", "aft \(command) after head closed the pipe")
        }
    }
}
