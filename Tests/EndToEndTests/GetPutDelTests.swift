import Foundation
import Testing

/// Patterns for the status lines that put, del and commit print.
enum StatusLine {
    /// `committed 3f2a91c0 (2 keys)`
    static func committed(keys: Int) -> Regex<Substring> {
        let noun = keys == 1 ? "key" : "keys"
        return try! Regex("^committed [0-9a-f]{8} \\(\(keys) \(noun)\\)$")
    }
}

@Suite("put, get and del")
struct GetPutDelTests {
    @Test func putKeyValueThenGet() throws {
        let sandbox = try Sandbox()

        let put = sandbox.aft("put", "greeting", "hello world")
        expectSuccess(put)
        #expect(put.outputLines.count == 1)
        #expect(put.outputLines.first?.wholeMatch(of: StatusLine.committed(keys: 1)) != nil, "\(put)")

        let get = sandbox.aft("get", "greeting")
        expectSuccess(get)
        #expect(get.stdout == Array("hello world\n".utf8))
    }

    @Test func putOverwritesValue() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "k", "first"))
        expectSuccess(sandbox.aft("put", "k", "second"))

        let get = sandbox.aft("get", "k")
        expectSuccess(get)
        #expect(get.output == "second\n")
    }

    @Test func putPairsInOneCommit() throws {
        let sandbox = try Sandbox()

        let put = sandbox.aft("put", "a=1", "b=2", "c=x=y", "empty=")
        expectSuccess(put)
        #expect(put.outputLines.first?.wholeMatch(of: StatusLine.committed(keys: 4)) != nil, "\(put)")

        let get = sandbox.aft("get", "a", "b", "c")
        expectSuccess(get)
        #expect(get.output == "a 1\nb 2\nc x=y\n")
        let empty = sandbox.aft("--raw", "get", "empty")
        expectSuccess(empty)
        #expect(empty.stdout.isEmpty)

        let log = try jsonObjects(sandbox.aft("--json", "log"))
        #expect(log.count == 1)
        #expect(log.first?["keys"] as? [String] == ["a", "b", "c", "empty"])
    }

    @Test func putKeyWithEqualsSignAsKeyValue() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "x=y", "plain"))

        let get = sandbox.aft("get", "x=y")
        expectSuccess(get)
        #expect(get.output == "plain\n")
    }

    @Test func putJSONReportsCommit() throws {
        let sandbox = try Sandbox()

        let put = sandbox.aft("--json", "put", "a=1", "b=2")
        expectSuccess(put)
        let report = try jsonObject(put)
        #expect(report["status"] as? String == "committed")
        let transaction = try #require(report["transaction"] as? String)
        #expect(transaction.wholeMatch(of: /[0-9a-f]{32}/) != nil)
        let stamp = try #require(report["stamp"] as? String)
        #expect(stamp.wholeMatch(of: /[0-9]+\.[0-9a-f]{32}/) != nil)
        #expect(stamp.hasSuffix(transaction))
        #expect(report["keys"] as? [String] == ["a", "b"])

        let get = try jsonObjects(sandbox.aft("--json", "get", "a", "b"))
        #expect(get.count == 2)
        #expect(get.map { $0["key"] as? String } == ["a", "b"])
        #expect(get.map { $0["found"] as? Bool } == [true, true])
        #expect(get.map { $0["value"] as? String } == ["1", "2"])
        #expect(get.map { $0["encoding"] as? String } == ["utf-8", "utf-8"])
        #expect(get.map { $0["version"] as? String } == [stamp, stamp])
    }

    @Test func getRawPrintsExactBytes() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "k", "no newline"))

        let get = sandbox.aft("--raw", "get", "k")
        expectSuccess(get)
        #expect(get.stdout == Array("no newline".utf8))
    }

    @Test func getRawRejectsSeveralKeys() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "a=1", "b=2"))

        let get = sandbox.aft("--raw", "get", "a", "b")
        expectFailure(get, status: 64, mentioning: ["--raw"])
    }

    @Test func getMissingKeyExitsOne() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "present", "yes"))

        let human = sandbox.aft("get", "absent")
        expectFailure(human, status: 1, mentioning: ["\"absent\"", "not found"])

        let raw = sandbox.aft("--raw", "get", "absent")
        expectFailure(raw, status: 1, mentioning: ["\"absent\""])

        let json = sandbox.aft("--json", "get", "absent")
        #expect(json.status == 1)
        let object = try jsonObject(json)
        #expect(object["key"] as? String == "absent")
        #expect(object["found"] as? Bool == false)
        #expect(object["version"] is NSNull)
        #expect(object["value"] == nil)
        #expect(json.errorLines.count == 1)
    }

    @Test func getFoundAndMissingPrintsFoundFirst() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "a=1", "c=3"))

        let get = sandbox.aft("get", "a", "b", "c")
        expectFailure(get, status: 1, mentioning: ["\"b\"", "not found"], stdoutEmpty: false)
        #expect(get.output == "a 1\nc 3\n")
    }

    @Test func getExplainShowsChosenVersion() throws {
        let sandbox = try Sandbox()
        let put = try jsonObject(sandbox.aft("--json", "put", "a=1", "b=1"))
        let stamp = try #require(put["stamp"] as? String)
        let short = String(try #require(put["transaction"] as? String).prefix(8))

        let explain = sandbox.aft("get", "--explain", "a", "b")
        expectSuccess(explain)
        #expect(explain.outputLines == [
            "a 1",
            "a@\(short): the newest committed version that keeps the reads atomic",
            "  a@\(short) chosen",
            "b 1",
            "b@\(short): the newest committed version that keeps the reads atomic",
            "  lower bound b@\(short): you read a@\(short), and that transaction also wrote b",
            "  b@\(short) chosen",
        ])

        let json = try jsonObject(sandbox.aft("--json", "get", "--explain", "a"))
        let details = try #require(json["explain"] as? [String: Any])
        #expect(details["source"] as? String == "stored-version")
        #expect(details["lower_bound"] is NSNull)
        let candidates = try #require(details["candidates"] as? [[String: Any]])
        #expect(candidates.map { $0["version"] as? String } == [stamp])
        #expect(candidates.map { $0["outcome"] as? String } == ["chosen"])

        let missing = sandbox.aft("get", "--explain", "none")
        expectFailure(missing, status: 1, mentioning: ["\"none\""], stdoutEmpty: false)
        #expect(missing.outputLines == ["none@⊥: no committed version is visible, so the key reads as not found"])
    }

    @Test func putWithInjectedErrorStoresNothing() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "a=1", "b=1"))
        let before = try sandbox.snapshot()

        let beforeVersions = sandbox.aft("--fault", "commit.before-versions=error", "put", "a=2", "b=2")
        expectFailure(beforeVersions, status: 75, mentioning: ["commit.before-versions"])
        let storePut = sandbox.aft(["put", "a=3", "b=3"], environment: ["AFT_FAULTS": "store.put=error"])
        expectFailure(storePut, status: 75, mentioning: ["store.put"])

        #expect(sandbox.aft("get", "a", "b").output == "a 1\nb 1\n")
        #expect(try sandbox.snapshot().log == before.log)
    }

    @Test func putValueFromStandardInput() throws {
        let sandbox = try Sandbox()

        expectSuccess(sandbox.aft("put", "k", "-", stdin: "from stdin\n"))
        expectSuccess(sandbox.aft("put", "pair=-", stdin: "pair value"))

        #expect(sandbox.aft("--raw", "get", "k").output == "from stdin\n")
        #expect(sandbox.aft("--raw", "get", "pair").output == "pair value")
    }

    @Test func putValueFromFile() throws {
        let sandbox = try Sandbox()
        try sandbox.write(Array("file contents\n".utf8), to: "value.txt")

        expectSuccess(sandbox.aft("put", "k", "@value.txt"))
        expectSuccess(sandbox.aft("put", "pair=@\(sandbox.path("value.txt"))"))

        #expect(sandbox.aft("--raw", "get", "k").output == "file contents\n")
        #expect(sandbox.aft("--raw", "get", "pair").output == "file contents\n")
    }

    @Test func putLiteralKeepsDashAndAt() throws {
        let sandbox = try Sandbox()

        expectSuccess(sandbox.aft("put", "--literal", "dash", "-", stdin: "not this"))
        expectSuccess(sandbox.aft("put", "--literal", "at", "@no-such-file"))

        #expect(sandbox.aft("--raw", "get", "dash").output == "-")
        #expect(sandbox.aft("--raw", "get", "at").output == "@no-such-file")
    }

    @Test func delRemovesKey() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "a=1", "b=2", "c=3"))

        let del = sandbox.aft("del", "a", "b")
        expectSuccess(del)
        #expect(del.outputLines.first?.wholeMatch(of: StatusLine.committed(keys: 2)) != nil, "\(del)")

        expectFailure(sandbox.aft("get", "a"), status: 1, mentioning: ["\"a\"", "not found"])
        expectFailure(sandbox.aft("get", "b"), status: 1, mentioning: ["\"b\"", "not found"])
        #expect(sandbox.aft("get", "c").output == "3\n")
        #expect(sandbox.aft("keys").output == "c\n")
    }

    @Test func delJSONReportsCommit() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "a", "1"))

        let del = sandbox.aft("--json", "del", "a")
        expectSuccess(del)
        let report = try jsonObject(del)
        #expect(report["status"] as? String == "committed")
        #expect(report["keys"] as? [String] == ["a"])
    }

    @Test func delMissingKeyWritesTombstone() throws {
        let sandbox = try Sandbox()

        let del = sandbox.aft("del", "never-written")
        expectSuccess(del)

        let history = try jsonObjects(sandbox.aft("--json", "history", "never-written"))
        #expect(history.count == 1)
        #expect(history.first?["deleted"] as? Bool == true)
        expectFailure(sandbox.aft("get", "never-written"), status: 1, mentioning: ["not found"])
    }

    @Test func delWithoutKeyIsUsageError() throws {
        let sandbox = try Sandbox()
        expectFailure(sandbox.aft("del"), status: 64, mentioning: ["missing KEY"])
    }

    @Test func putInLastWriterWinsMode() throws {
        let sandbox = try Sandbox()

        expectSuccess(sandbox.aft("--consistency", "lww", "put", "a=1", "b=2"))

        #expect(sandbox.aft("--consistency", "lww", "get", "a", "b").output == "a 1\nb 2\n")
        let log = try jsonObjects(sandbox.aft("--json", "log"))
        #expect(log.first?["mode"] as? String == "lww")
        #expect(sandbox.aft("log").output.contains("[lww]"))
    }

    @Test func putInLastWriterWinsModeVisibleToReadAtomic() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("--consistency", "lww", "put", "a=1", "b=2"))

        let get = sandbox.aft("get", "a", "b")
        expectSuccess(get)
        #expect(get.output == "a 1\nb 2\n")
    }

    @Test
    func putInLastWriterWinsModeLoggedOnce() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("--consistency", "lww", "put", "a=1", "b=2"))

        let log = try jsonObjects(sandbox.aft("--json", "log"))
        #expect(log.count == 1)
        #expect(log.first?["keys"] as? [String] == ["a", "b"])
    }
}
