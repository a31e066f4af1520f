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
