import Foundation
import Testing

/// Matches the UTC time that human output prints, as in `2026-12-04 19:55:01.123456Z`.
nonisolated(unsafe) let timePattern = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}Z/
/// JSON writes times in ISO 8601, with a T between date and time.
nonisolated(unsafe) let isoTimePattern = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z/

/// Returns the numeric part of a stamp string `TIMESTAMP.ID`.
func stampTime(_ stamp: String?) -> UInt64? {
    stamp?.split(separator: ".").first.flatMap { UInt64($0) }
}

@Suite("history, log, show, keys and stats")
struct InspectionTests {
    /// Commits a put and returns the transaction id from its JSON report.
    static func commit(_ sandbox: Sandbox, _ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = sandbox.aft(["--json"] + arguments)
        expectSuccess(result, sourceLocation: sourceLocation)
        return try #require(try jsonObject(result)["transaction"] as? String, sourceLocation: sourceLocation)
    }

    @Test func historyListsVersionsNewestFirst() throws {
        let sandbox = try Sandbox()
        let first = try Self.commit(sandbox, "put", "a", "1")
        let second = try Self.commit(sandbox, "put", "a=2", "b=2")
        let third = try Self.commit(sandbox, "del", "a")

        let history = sandbox.aft("history", "a")
        expectSuccess(history)
        let lines = history.outputLines
        #expect(lines.count == 3)
        let columns = lines.map { $0.components(separatedBy: "  ") }
        #expect(columns.map { $0.first?.wholeMatch(of: timePattern) != nil } == [true, true, true])
        #expect(columns.map { $0.dropFirst().first } == [third, second, first].map { String($0.prefix(8)) })
        let values: [[String]] = [["(deleted)"], ["2", "also wrote: b"], ["1"]]
        #expect(columns.map { Array($0.dropFirst(2)) } == values)

        let json = try jsonObjects(sandbox.aft("--json", "history", "a"))
        #expect(json.map { $0["transaction"] as? String } == [third, second, first])
        #expect(json.map { $0["key"] as? String } == ["a", "a", "a"])
        #expect(json.map { $0["deleted"] as? Bool } == [true, false, false])
        #expect(json.map { $0["value"] as? String } == [nil, "2", "1"])
        #expect(json.map { $0["cowritten"] as? [String] } == [[], ["b"], []])
        #expect(json.map { $0["mode"] as? String } == ["read-atomic", "read-atomic", "read-atomic"])
        let stamps = json.compactMap { stampTime($0["stamp"] as? String) }
        #expect(stamps.count == 3)
        #expect(stamps == stamps.sorted(by: >))
        #expect(json.map { ($0["time"] as? String)?.wholeMatch(of: isoTimePattern) != nil } == [true, true, true])
    }

    @Test func historyLimit() throws {
        let sandbox = try Sandbox()
        for value in 1...4 {
            expectSuccess(sandbox.aft("put", "k", "\(value)"))
        }

        let two = try jsonObjects(sandbox.aft("--json", "history", "-n", "2", "k"))
        #expect(two.map { $0["value"] as? String } == ["4", "3"])
        let none = sandbox.aft("history", "--limit", "0", "k")
        expectSuccess(none)
        #expect(none.stdout.isEmpty)
        expectFailure(sandbox.aft("history", "-n", "many", "k"), status: 64, mentioning: ["\"many\""])
    }

    @Test func historyOfUnknownKeyPrintsNote() throws {
        let sandbox = try Sandbox()

        let history = sandbox.aft("history", "nothing")
        #expect(history.status == 0)
        #expect(history.stdout.isEmpty)
        #expect(history.errorLines == ["note: key \"nothing\" has no committed versions"])
        let json = sandbox.aft("--json", "history", "nothing")
        expectSuccess(json)
        #expect(json.stdout.isEmpty)
    }

    @Test func historyArgumentsChecked() throws {
        let sandbox = try Sandbox()

        expectFailure(sandbox.aft("history"), status: 64, mentioning: ["history takes one KEY"])
        expectFailure(sandbox.aft("history", "a", "b"), status: 64, mentioning: ["history takes one KEY"])
    }

    @Test func logListsCommitsNewestFirst() throws {
        let sandbox = try Sandbox()
        let first = try Self.commit(sandbox, "put", "a", "1")
        let second = try Self.commit(sandbox, "put", "b=1", "c=1")
        let third = try Self.commit(sandbox, "del", "a")
        let staged = try RegisteredTransactionTests.begin(sandbox)
        expectSuccess(sandbox.aft("put", "-t", staged, "d", "1"))

        let log = sandbox.aft("log")
        expectSuccess(log)
        let columns = log.outputLines.map { $0.components(separatedBy: "  ") }
        #expect(columns.count == 3)
        #expect(columns.map { $0.first?.wholeMatch(of: timePattern) != nil } == [true, true, true])
        let expected: [[String]] = [
            [String(third.prefix(8)), "a"], [String(second.prefix(8)), "b, c"], [String(first.prefix(8)), "a"],
        ]
        #expect(columns.map { Array($0.dropFirst()) } == expected)

        let json = try jsonObjects(sandbox.aft("--json", "log"))
        #expect(json.map { $0["transaction"] as? String } == [third, second, first])
        #expect(json.map { $0["keys"] as? [String] } == [["a"], ["b", "c"], ["a"]])
        #expect(json.map { $0["mode"] as? String } == ["read-atomic", "read-atomic", "read-atomic"])
        #expect(json.map { ($0["stamp"] as? String)?.hasSuffix($0["transaction"] as? String ?? "-") } == [true, true, true])
        #expect(json.map { ($0["time"] as? String)?.replacingOccurrences(of: "T", with: " ") } == columns.map { $0.first })

        let limited = try jsonObjects(sandbox.aft("--json", "log", "-n", "2"))
        #expect(limited.map { $0["transaction"] as? String } == [third, second])
    }

    @Test func logOfEmptyStoreIsEmpty() throws {
        let sandbox = try Sandbox()

        let log = sandbox.aft("log")

        expectSuccess(log)
        #expect(log.stdout.isEmpty)
        expectFailure(sandbox.aft("log", "extra"), status: 64, mentioning: ["\"extra\""])
    }

    @Test func logFollowPrintsNewCommits() throws {
        let sandbox = try Sandbox()
        let old = try Self.commit(sandbox, "put", "old", "1")
        let backlog = try Self.commit(sandbox, "put", "backlog", "1")
        let follower = try RunningCommand(["--json", "log", "--follow", "-n", "1"], in: sandbox)

        let first = follower.waitForLines(1)
        let next = try Self.commit(sandbox, "put", "next", "1")
        let second = follower.waitForLines(2)
        follower.stop()

        #expect(first.count == 1)
        #expect(second.count == 2)
        let objects = second.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.map { $0["transaction"] as? String } == [backlog, next])
        #expect(objects.map { $0["keys"] as? [String] } == [["backlog"], ["next"]])
        #expect(!objects.contains { $0["transaction"] as? String == old })
    }

    @Test func showDeletePrintsDeleted() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "k", "v"))
        let id = try Self.commit(sandbox, "del", "k")

        let show = sandbox.aft("show", String(id.prefix(8)))
        expectSuccess(show)
        #expect(show.outputLines.contains("  k = (deleted)"))
        #expect(show.outputLines.contains("status       committed"))
        let committed = try #require(show.outputLines.first { $0.hasPrefix("committed    ") })
        #expect(committed.contains("(stamp "))
        #expect(committed.hasSuffix(".\(id))"))
        let json = try jsonObject(sandbox.aft("--json", "show", id))
        let writes = try #require(json["writes"] as? [[String: Any]])
        #expect(writes.first?["deleted"] as? Bool == true)
        #expect(writes.first?["value"] == nil)
    }

    @Test func keysListsVisibleKeysInByteOrder() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "b=1", "a=1", "B=1", "a/b=1", "ä=1", "a b=1", "*=1"))
        expectSuccess(sandbox.aft("del", "b"))
        let staged = try RegisteredTransactionTests.begin(sandbox)
        expectSuccess(sandbox.aft("put", "-t", staged, "a-staged", "1"))

        let keys = sandbox.aft("keys")
        expectSuccess(keys)
        #expect(keys.outputLines == ["*", "B", "a", "\"a b\"", "a/b", "ä"])
        let json = try jsonObjects(sandbox.aft("--json", "keys"))
        #expect(json.map { $0["key"] as? String } == ["*", "B", "a", "a b", "a/b", "ä"])
    }

    @Test(arguments: [
        ("a*", ["a", "a b", "a/b"]),
        ("?", ["*", "B", "a", "ä"]),
        ("[aB]", ["B", "a"]),
        ("[!a]", ["*", "B", "ä"]),
        ("a[ /]*", ["a b", "a/b"]),
        ("\\*", ["*"]),
        ("zzz*", []),
    ])
    func keysMatchesGlobPattern(_ pattern: String, _ expected: [String]) throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "a=1", "B=1", "a/b=1", "ä=1", "a b=1", "*=1"))

        let keys = try jsonObjects(sandbox.aft("--json", "keys", pattern))

        #expect(keys.map { $0["key"] as? String } == expected)
    }

    @Test func keysTakesOnePattern() throws {
        let sandbox = try Sandbox()

        expectFailure(sandbox.aft("keys", "a*", "b*"), status: 64, mentioning: ["quote the pattern"])
    }

    @Test func statsCountsStore() throws {
        let sandbox = try Sandbox()
        let empty = try jsonObject(sandbox.aft("--json", "stats"))
        #expect(empty["keys"] as? Int == 0)
        #expect(empty["versions"] as? Int == 0)

        expectSuccess(sandbox.aft("put", "a=1", "b=2"))
        expectSuccess(sandbox.aft("put", "a", "3"))
        let running = try RegisteredTransactionTests.begin(sandbox)
        expectSuccess(sandbox.aft("put", "-t", running, "c", "staged"))
        let aborted = try RegisteredTransactionTests.begin(sandbox)
        expectSuccess(sandbox.aft("abort", aborted))

        let json = try jsonObject(sandbox.aft("--json", "stats"))
        #expect(json["store"] as? String == "sqlite:\(sandbox.storePath)")
        #expect((json["size_bytes"] as? Int ?? 0) > 0)
        #expect(json["keys"] as? Int == 2)
        #expect(json["versions"] as? Int == 4)
        #expect(json["index_entries"] as? Int == 3)
        #expect(json["log_entries"] as? Int == 2)
        let transactions = try #require(json["transactions"] as? [String: Any])
        #expect(transactions["committed"] as? Int == 2)
        #expect(transactions["running"] as? Int == 1)
        #expect(transactions["aborted"] as? Int == 1)

        let human = sandbox.aft("stats")
        expectSuccess(human)
        let lines = human.outputLines
        #expect(lines.first == "store          sqlite:\(sandbox.storePath)")
        #expect(lines.contains { $0.wholeMatch(of: /size           \d+ bytes/) != nil })
        #expect(lines.contains("keys           2"))
        #expect(lines.contains("versions       4"))
        #expect(lines.contains("index entries  3"))
        #expect(lines.contains("commit log     2"))
        #expect(lines.last == "transactions   2 committed, 1 running, 1 aborted")
        expectFailure(sandbox.aft("stats", "extra"), status: 64, mentioning: ["\"extra\""])
    }
}
