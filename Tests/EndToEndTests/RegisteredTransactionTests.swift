import Foundation
import Testing

@Suite("begin, commit and abort across processes")
struct RegisteredTransactionTests {
    /// Starts a registered transaction and returns its full id.
    static func begin(_ sandbox: Sandbox, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let begin = sandbox.aft("begin")
        expectSuccess(begin, sourceLocation: sourceLocation)
        let id = try #require(begin.outputLines.first, "\(begin)", sourceLocation: sourceLocation)
        return id
    }

    @Test func beginPrintsIdAlone() throws {
        let sandbox = try Sandbox()

        let begin = sandbox.aft("begin")
        expectSuccess(begin)
        #expect(begin.output.wholeMatch(of: /[0-9a-f]{32}\n/) != nil, "\(begin)")

        let json = try jsonObject(sandbox.aft("--json", "begin"))
        #expect((json["transaction"] as? String)?.wholeMatch(of: /[0-9a-f]{32}/) != nil)
        #expect(json["mode"] as? String == "read-atomic")
        let lww = try jsonObject(sandbox.aft("--json", "--consistency", "lww", "begin"))
        #expect(lww["mode"] as? String == "lww")
    }

    @Test func stagedWritesInvisibleUntilCommit() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "a=old", "b=old"))
        let id = try Self.begin(sandbox)
        let short = String(id.prefix(8))

        let stageA = sandbox.aft("put", "-t", id, "a", "new")
        expectSuccess(stageA)
        #expect(stageA.output == "staged 1 key in \(short); run 'aft commit \(short)' to make it visible\n")
        let stageB = sandbox.aft("--json", "put", "--transaction", id, "b=new", "c=new")
        expectSuccess(stageB)
        let staged = try jsonObject(stageB)
        #expect(staged["status"] as? String == "staged")
        #expect(staged["transaction"] as? String == id)
        #expect(staged["keys"] as? [String] == ["b", "c"])

        #expect(sandbox.aft("get", "a", "b").output == "a old\nb old\n")
        expectFailure(sandbox.aft("get", "c"), status: 1, mentioning: ["\"c\"", "not found"])
        #expect(sandbox.aft("keys").output == "a\nb\n")
        #expect(try jsonObjects(sandbox.aft("--json", "log")).count == 1)
        #expect(try jsonObjects(sandbox.aft("--json", "history", "a")).count == 1)
        #expect(sandbox.aft("get", "-t", id, "a", "b", "c").output == "a new\nb new\nc new\n")

        let commit = sandbox.aft("commit", id)
        expectSuccess(commit)
        #expect(commit.output == "committed \(short) (3 keys)\n")

        #expect(sandbox.aft("get", "a", "b", "c").output == "a new\nb new\nc new\n")
        #expect(sandbox.aft("keys").output == "a\nb\nc\n")
        let log = try jsonObjects(sandbox.aft("--json", "log"))
        #expect(log.count == 2)
        #expect(log.first?["transaction"] as? String == id)
        #expect(log.first?["keys"] as? [String] == ["a", "b", "c"])
    }

    @Test func stagedDeleteHidesKeyOnlyAfterCommit() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "doomed", "here"))
        let id = try Self.begin(sandbox)

        expectSuccess(sandbox.aft("del", "-t", id, "doomed"))

        #expect(sandbox.aft("get", "doomed").output == "here\n")
        expectFailure(sandbox.aft("get", "-t", id, "doomed"), status: 1, mentioning: ["not found"])
        expectSuccess(sandbox.aft("commit", id))
        expectFailure(sandbox.aft("get", "doomed"), status: 1, mentioning: ["not found"])
    }

    @Test func aftTxnEnvironmentSelectsTransaction() throws {
        let sandbox = try Sandbox()
        let id = try Self.begin(sandbox)
        let environment = ["AFT_TXN": id]

        expectSuccess(sandbox.aft(["put", "k", "v"], environment: environment))
        expectSuccess(sandbox.aft(["del", "gone"], environment: environment))
        #expect(sandbox.aft(["get", "k"], environment: environment).output == "v\n")
        expectFailure(sandbox.aft("get", "k"), status: 1, mentioning: ["not found"])

        let commit = sandbox.aft(["commit"], environment: environment)
        expectSuccess(commit)
        #expect(commit.output == "committed \(id.prefix(8)) (2 keys)\n")
        #expect(sandbox.aft("get", "k").output == "v\n")
    }

    @Test func emptyAftTxnIsIgnored() throws {
        let sandbox = try Sandbox()

        let put = sandbox.aft(["put", "k", "v"], environment: ["AFT_TXN": ""])
        expectSuccess(put)
        #expect(put.outputLines.first?.wholeMatch(of: StatusLine.committed(keys: 1)) != nil, "\(put)")
    }

    @Test func commitTwiceReportsFirstOutcome() throws {
        let sandbox = try Sandbox()
        let id = try Self.begin(sandbox)
        expectSuccess(sandbox.aft("put", "-t", id, "a=1", "b=2"))
        let first = try jsonObject(sandbox.aft("--json", "commit", id))
        #expect(first["status"] as? String == "committed")

        let again = sandbox.aft("commit", id)
        expectSuccess(again)
        #expect(again.output == "already committed \(id.prefix(8)) (2 keys)\n")
        let againJSON = try jsonObject(sandbox.aft("--json", "commit", id))
        #expect(againJSON["status"] as? String == "already-committed")
        #expect(againJSON["stamp"] as? String == first["stamp"] as? String)
        #expect(againJSON["keys"] as? [String] == ["a", "b"])
        #expect(try jsonObjects(sandbox.aft("--json", "log")).count == 1)
    }

    @Test func abortDeletesStagedWrites() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "kept", "yes"))
        let versionsBefore = try jsonObject(sandbox.aft("--json", "stats"))["versions"] as? Int
        let id = try Self.begin(sandbox)
        expectSuccess(sandbox.aft("put", "-t", id, "staged=1", "kept=changed"))
        #expect(try jsonObject(sandbox.aft("--json", "stats"))["versions"] as? Int == versionsBefore.map { $0 + 2 })

        let abort = sandbox.aft("abort", id)
        expectSuccess(abort)
        #expect(abort.output == "aborted \(id.prefix(8))\n")

        let stats = try jsonObject(sandbox.aft("--json", "stats"))
        #expect(stats["versions"] as? Int == versionsBefore)
        #expect((stats["transactions"] as? [String: Any])?["aborted"] as? Int == 1)
        expectFailure(sandbox.aft("get", "staged"), status: 1, mentioning: ["not found"])
        #expect(sandbox.aft("get", "kept").output == "yes\n")
        let show = try jsonObject(sandbox.aft("--json", "show", id))
        #expect(show["status"] as? String == "aborted")
        let writes = try #require(show["writes"] as? [[String: Any]])
        #expect(writes.map { $0["key"] as? String } == ["staged", "kept"])
        #expect(writes.allSatisfy { $0["value"] == nil })

        let commit = sandbox.aft("commit", id)
        expectFailure(commit, status: 75, mentioning: [String(id.prefix(8)), "aborted"])
        expectFailure(sandbox.aft("get", "staged"), status: 1, mentioning: ["not found"])
        let abortAgain = sandbox.aft("abort", id)
        expectSuccess(abortAgain)
    }

    @Test func abortJSONReportsStatus() throws {
        let sandbox = try Sandbox()
        let id = try Self.begin(sandbox)

        let abort = try jsonObject(sandbox.aft("--json", "abort", id))

        #expect(abort["status"] as? String == "aborted")
        #expect(abort["transaction"] as? String == id)
    }

    @Test func abortCommittedTransactionFails() throws {
        let sandbox = try Sandbox()
        let id = try Self.begin(sandbox)
        expectSuccess(sandbox.aft("put", "-t", id, "k", "v"))
        expectSuccess(sandbox.aft("commit", id))

        expectFailure(sandbox.aft("abort", id), status: 1, mentioning: [String(id.prefix(8)), "already committed"])
        #expect(sandbox.aft("get", "k").output == "v\n")
    }

    @Test func operationsOnFinishedTransactionFail() throws {
        let sandbox = try Sandbox()
        let committed = try Self.begin(sandbox)
        expectSuccess(sandbox.aft("commit", committed))
        let aborted = try Self.begin(sandbox)
        expectSuccess(sandbox.aft("abort", aborted))
        let before = try sandbox.snapshot()

        expectFailure(sandbox.aft("put", "-t", committed, "k", "v"), status: 1, mentioning: ["already committed"])
        expectFailure(sandbox.aft("put", "-t", aborted, "k", "v"), status: 75, mentioning: ["aborted"])
        expectFailure(sandbox.aft("get", "-t", aborted, "k"), status: 75, mentioning: ["aborted"])

        #expect(try sandbox.snapshot() == before)
    }

    @Test func uniquePrefixesAccepted() throws {
        let sandbox = try Sandbox()
        let first = try Self.begin(sandbox)
        let second = try Self.begin(sandbox)
        expectSuccess(sandbox.aft("put", "-t", String(first.prefix(8)), "a", "1"))
        expectSuccess(sandbox.aft("put", "-t", String(second.prefix(8)), "b", "2"))

        let show = sandbox.aft("show", String(first.prefix(10)).uppercased())
        expectSuccess(show)
        #expect(show.outputLines.first == "transaction  \(first)")
        expectSuccess(sandbox.aft("commit", String(first.prefix(7))))
        expectSuccess(sandbox.aft("abort", String(second.prefix(9))))

        #expect(try jsonObject(sandbox.aft("--json", "show", first))["status"] as? String == "committed")
        #expect(try jsonObject(sandbox.aft("--json", "show", second))["status"] as? String == "aborted")
    }

    @Test func ambiguousPrefixRejected() throws {
        let sandbox = try Sandbox()
        // Seventeen ids cannot all start with different hexadecimal digits.
        var ids: [String] = []
        for _ in 0..<17 {
            ids.append(try Self.begin(sandbox))
        }
        let byDigit = Dictionary(grouping: ids) { $0.prefix(1) }
        let shared = try #require(byDigit.first { $0.value.count > 1 })
        let prefix = String(shared.key)
        let before = try sandbox.snapshot()

        for command in ["show", "commit", "abort"] {
            let result = sandbox.aft(command, prefix)
            expectFailure(result, status: 1, mentioning: ["\"\(prefix)\"", "ambiguous"])
        }
        expectFailure(sandbox.aft("put", "-t", prefix, "k", "v"), status: 1, mentioning: ["ambiguous"])

        #expect(try sandbox.snapshot() == before)
        for id in shared.value {
            #expect(try jsonObject(sandbox.aft("--json", "show", id))["status"] as? String == "running")
        }
    }

    @Test func unknownPrefixRejected() throws {
        let sandbox = try Sandbox()
        let id = try Self.begin(sandbox)
        let unknown = id.hasPrefix("0") ? "1234abcd" : "0234abcd"

        for command in ["show", "commit", "abort"] {
            expectFailure(sandbox.aft(command, unknown), status: 1, mentioning: ["\"\(unknown)\"", "no transaction"])
        }
        expectFailure(sandbox.aft("get", "-t", unknown, "k"), status: 1, mentioning: ["no transaction"])
        #expect(try jsonObject(sandbox.aft("--json", "show", id))["status"] as? String == "running")
    }

    @Test(arguments: ["zzz", "12-34", "0x12", "", String(repeating: "a", count: 33), "日本"])
    func malformedIdRejected(_ malformed: String) throws {
        let sandbox = try Sandbox()
        let before = try sandbox.snapshot()

        for arguments in [["show", malformed], ["commit", malformed], ["abort", malformed], ["get", "-t", malformed, "k"], ["put", "-t", malformed, "k", "v"]] {
            let result = sandbox.aft(arguments)
            expectFailure(result, status: 65, mentioning: ["invalid transaction id", "\"\(malformed)\""])
        }
        expectFailure(sandbox.aft(["put", "k", "v"], environment: ["AFT_TXN": "not-hex"]), status: 65, mentioning: ["\"not-hex\""])

        #expect(try sandbox.snapshot() == before)
    }

    @Test func commitWithoutIdIsUsageError() throws {
        let sandbox = try Sandbox()
        let id = try Self.begin(sandbox)

        expectFailure(sandbox.aft("commit"), status: 64, mentioning: ["missing transaction id"])
        expectFailure(sandbox.aft("abort"), status: 64, mentioning: ["missing transaction id"])
        expectFailure(sandbox.aft("commit", id, "-t", id), status: 64, mentioning: ["either"])
        expectFailure(sandbox.aft("commit", id, id), status: 64, mentioning: ["one transaction id"])

        let commit = sandbox.aft("commit", "-t", String(id.prefix(8)))
        expectSuccess(commit)
        #expect(commit.output == "committed \(id.prefix(8)) (0 keys)\n")
    }

    @Test func readsAcrossProcessesStayAtomic() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "a=0", "b=0"))
        let id = try Self.begin(sandbox)

        #expect(sandbox.aft("get", "-t", id, "a").output == "0\n")
        expectFailure(sandbox.aft("get", "-t", id, "c"), status: 1, mentioning: ["\"c\"", "not found"])
        expectSuccess(sandbox.aft("put", "a=1", "b=1", "c=1", "d=1"))

        // Repeatable read: a stays at the version this transaction already read.
        #expect(sandbox.aft("get", "-t", id, "a").output == "0\n")
        // No fractured read: the new b was written with a, which this transaction read older.
        #expect(sandbox.aft("get", "-t", id, "b").output == "0\n")
        // The null version counts: c read as absent keeps d, written with c, absent too.
        expectFailure(sandbox.aft("get", "-t", id, "d"), status: 1, mentioning: ["\"d\"", "not found"])
        expectFailure(sandbox.aft("get", "-t", id, "c"), status: 1, mentioning: ["\"c\"", "not found"])

        #expect(sandbox.aft("get", "a", "b", "c", "d").output == "a 1\nb 1\nc 1\nd 1\n")
    }

    @Test func showListsStagedWritesAndReads() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "source", "10"))
        let sourceStamp = try #require(try jsonObject(sandbox.aft("--json", "get", "source"))["version"] as? String)
        let id = try Self.begin(sandbox)
        expectSuccess(sandbox.aft("get", "-t", id, "source"))
        expectSuccess(sandbox.aft("put", "-t", id, "target", "10"))

        let running = sandbox.aft("show", id)
        expectSuccess(running)
        let lines = running.outputLines
        #expect(lines.first == "transaction  \(id)")
        #expect(lines.contains("status       running"))
        #expect(lines.contains("mode         read-atomic"))
        #expect(lines.contains { $0.hasPrefix("lease until  ") })
        #expect(lines.contains("writes       1"))
        #expect(lines.contains("  target = 10"))
        #expect(lines.contains("reads        1"))
        #expect(lines.contains("  source@\(sourceStamp.split(separator: ".")[1].prefix(8))"))

        expectSuccess(sandbox.aft("commit", id))
        let json = try jsonObject(sandbox.aft("--json", "show", id))
        #expect(json["transaction"] as? String == id)
        #expect(json["status"] as? String == "committed")
        #expect(json["mode"] as? String == "read-atomic")
        #expect((json["stamp"] as? String)?.hasSuffix(id) == true)
        #expect(json["abort_reason"] is NSNull)
        let writes = try #require(json["writes"] as? [[String: Any]])
        #expect(writes.count == 1)
        #expect(writes.first?["key"] as? String == "target")
        #expect(writes.first?["deleted"] as? Bool == false)
        #expect(writes.first?["value"] as? String == "10")
        let reads = try #require(json["reads"] as? [[String: Any]])
        #expect(reads.count == 1)
        #expect(reads.first?["key"] as? String == "source")
        #expect(reads.first?["version"] as? String == sourceStamp)
    }
}
