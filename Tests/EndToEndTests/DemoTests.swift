import Testing

@Suite struct DemoTests {
    /// The outcome lines each demo must print when piped, in order.
    static let expectedOutcomes: [(demo: String, outcomes: [String])] = [
        ("crash", [
            "outcome: read-atomic: the reader saw no part of the crashed transfer (total 150)",
            "outcome: lww: the reader saw a partial update (total 120, not 150)",
        ]),
        ("retry", [
            "outcome: without --id: one request placed 2 orders",
            "outcome: with --id: one request placed 1 order",
        ]),
        ("fractured", [
            "outcome: read-atomic: no fractured read: the reader saw x=old and y=old, all before the writer",
            "outcome: lww: fractured read: the reader saw x=old but y=new, half of the writer",
        ]),
        ("lost-update", [
            "outcome: read-atomic: counter=11 after two increments: an update was lost",
            "outcome: lww: counter=11 after two increments: an update was lost",
        ]),
        ("write-skew", [
            "outcome: read-atomic: alice=off bob=off: nobody is on call, though each checked first",
            "outcome: lww: alice=off bob=off: nobody is on call, though each checked first",
        ]),
    ]

    @Test(arguments: 0..<5)
    func demoPrintsExpectedOutcome(index: Int) throws {
        let (demo, outcomes) = Self.expectedOutcomes[index]
        let sandbox = try Sandbox()
        let result = sandbox.aft("demo", demo)
        #expect(result.status == 0, "\(result)")
        #expect(result.outputLines.filter { $0.hasPrefix("outcome:") } == outcomes)
        #expect(result.stderr.isEmpty)
    }

    @Test func demoListNamesEveryDemo() throws {
        let result = try Sandbox().aft("demo")
        #expect(result.status == 0)
        for (demo, _) in Self.expectedOutcomes {
            #expect(result.output.contains("  \(demo) "), "missing \(demo)")
        }
    }

    @Test func unknownDemoIsUsageError() throws {
        let result = try Sandbox().aft("demo", "nope")
        #expect(result.status == 64)
        #expect(result.errorLines.first?.contains("unknown demo \"nope\"") == true)
    }
}

@Suite struct BenchCommandTests {
    @Test func benchCountsNoAnomaliesInReadAtomic() throws {
        let sandbox = try Sandbox()
        let history = sandbox.path("history.jsonl")
        let plot = sandbox.path("chart.svg")
        let result = sandbox.aft("--json", "bench", "-c", "2", "--requests", "50", "--seed", "7", "-K", "20", "--record", history, "--plot", plot)
        #expect(result.status == 0, "\(result)")
        let lines = try jsonObjects(result)
        #expect(lines.map { $0["mode"] as? String } == ["read-atomic", "lww"])
        let readAtomic = try #require(lines.first)
        #expect(readAtomic["committed"] as? Int == 100)
        let anomalies = try #require(readAtomic["anomalies"] as? [String: Int])
        #expect(anomalies.values.allSatisfy { $0 == 0 }, "seed 7: \(anomalies)")

        let svg = String(decoding: sandbox.contents(of: plot) ?? [], as: UTF8.self)
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.contains("Throughput"))

        // The recorded file holds both modes; lww may or may not have met an anomaly in so short a run.
        let check = sandbox.aft("check", history)
        #expect(check.status == 0 || check.status == 1, "\(check)")
        #expect(check.outputLines.last?.hasPrefix("checked 200 transactions (200 committed)") == true, "\(check)")
    }

    @Test func benchRunsClientsAsProcesses() throws {
        let sandbox = try Sandbox()
        let result = sandbox.aft("--json", "bench", "--processes", "-c", "2", "--requests", "30", "--seed", "9", "-K", "20")
        #expect(result.status == 0, "\(result)")
        let lines = try jsonObjects(result)
        #expect(lines.map { $0["committed"] as? Int } == [60, 60])
        let anomalies = try #require(lines.first?["anomalies"] as? [String: Int])
        #expect(anomalies.values.allSatisfy { $0 == 0 }, "seed 9: \(anomalies)")
    }

    @Test func checkNamesAnomaliesInRecordedHistory() throws {
        let sandbox = try Sandbox()
        let history = try sandbox.write(Array("""
            {"transaction":"t1","status":"committed","stamp":"1.t1","operations":[{"op":"write","key":"a"},{"op":"write","key":"b"}]}
            {"transaction":"t2","status":"committed","stamp":"2.t2","operations":[{"op":"read","key":"b","writer":null},{"op":"read","key":"a","writer":"t1"}]}

            """.utf8), to: "history.jsonl")
        let result = sandbox.aft("check", history)
        #expect(result.status == 1)
        #expect(result.outputLines.first?.hasPrefix("fractured-read  t2") == true, "\(result)")
        #expect(result.errorLines == ["error: the history has 1 anomaly; the lines above name each transaction"])
    }

    @Test func checkRejectsMalformedHistory() throws {
        let sandbox = try Sandbox()
        let history = try sandbox.write(Array("not json\n".utf8), to: "bad.jsonl")
        let result = sandbox.aft("check", history)
        #expect(result.status == 65)
        #expect(result.errorLines.count == 1)
    }
}
