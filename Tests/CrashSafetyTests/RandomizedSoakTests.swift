import Foundation
import Testing

/// Writers killed at random fault points and concurrent readers, checked by an independent anomaly counter.
///
/// The seed printed in every failure message replays the writers' and readers' choices
/// (groups, key orders, armed faults) with `AFT_TEST_SEED=SEED`. It cannot replay the
/// timing of the processes or which armed faults fire, because aft draws those itself.
@Suite("randomized crash soak")
struct RandomizedSoakTests {
    @Test func readAtomicShowsNoAnomalies() throws {
        let seed = SeededGenerator.runSeed()
        let sandbox = try Sandbox()
        // 20 seconds, longer only when a loaded machine has not yet done the minimum work.
        let workload = SoakWorkload(
            options: [], seed: seed, minimumDuration: .seconds(20), maximumDuration: .seconds(40),
            isDone: { Self.isExercised($0) })
        let history = workload.run(in: sandbox)
        let report = AnomalyChecker.check(history)
        let summary = Self.summary(history, report, seed: seed)

        #expect(report.fracturedReads.isEmpty, "\(summary)")
        #expect(report.dirtyReads.isEmpty, "\(summary)")
        #expect(report.readYourWritesViolations.isEmpty, "\(summary)")
        #expect(report.failedReads.isEmpty, "\(summary)")
        #expect(history.writerFailures.isEmpty, "\(summary)\n\(history.writerFailures.prefix(3).joined(separator: "\n"))")
        Self.expectExercised(history, summary: summary)
    }

    /// The same workload without aft's protocol, to show that the checker finds what read atomic prevents.
    @Test func lastWriterWinsShowsAnomalies() throws {
        let seed = SeededGenerator.runSeed()
        let sandbox = try Sandbox()
        // It stops once the checker has found every kind of anomaly, which takes seconds.
        let workload = SoakWorkload(
            options: ["--consistency", "lww"], seed: seed, minimumDuration: .seconds(5), maximumDuration: .seconds(30),
            isDone: { history in
                let report = AnomalyChecker.check(history)
                return Self.isExercised(history) && !report.fracturedReads.isEmpty && !report.dirtyReads.isEmpty
                    && !report.readYourWritesViolations.isEmpty
            })
        let history = workload.run(in: sandbox)
        let report = AnomalyChecker.check(history)
        let summary = Self.summary(history, report, seed: seed)

        #expect(!report.fracturedReads.isEmpty, "\(summary)")
        #expect(!report.dirtyReads.isEmpty, "\(summary)")
        #expect(!report.readYourWritesViolations.isEmpty, "\(summary)")
        Self.expectExercised(history, summary: summary)
    }

    /// The minimum work that makes a run mean something: commits, crashes, reads and reads of own writes.
    static let minimumCommits = 20
    static let minimumCrashes = 10
    static let minimumReads = 40
    static let minimumOwnReads = 10

    static func isExercised(_ history: SoakHistory) -> Bool {
        history.writes.filter { $0.outcome == .committed }.count >= minimumCommits && history.crashes >= minimumCrashes
            && history.reads.count >= minimumReads && history.readYourWrites.count >= minimumOwnReads
    }

    static func expectExercised(_ history: SoakHistory, summary: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(history.writes.filter { $0.outcome == .committed }.count >= minimumCommits, "\(summary)", sourceLocation: sourceLocation)
        #expect(history.crashes >= minimumCrashes, "\(summary)", sourceLocation: sourceLocation)
        #expect(history.reads.count >= minimumReads, "\(summary)", sourceLocation: sourceLocation)
        #expect(history.readYourWrites.count >= minimumOwnReads, "\(summary)", sourceLocation: sourceLocation)
    }

    static func summary(_ history: SoakHistory, _ report: AnomalyReport, seed: UInt64) -> String {
        let committed = history.writes.filter { $0.outcome == .committed }.count
        let neverCommitted = history.writes.filter { $0.outcome == .neverCommitted }.count
        return """
            seed \(seed) (rerun with AFT_TEST_SEED=\(seed))
            \(history.writes.count) writes: \(committed) committed, \(neverCommitted) never committed, \(history.writes.count - committed - neverCommitted) unknown; \(history.crashes) crashes
            \(history.reads.count) reads, \(history.readYourWrites.count) reads of own writes
            \(report)
            """
    }
}
