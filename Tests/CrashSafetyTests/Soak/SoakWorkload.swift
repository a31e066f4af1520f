import Foundation

/// Writers that commit one value to a whole group of keys while armed crashes kill them,
/// and readers that read whole groups, all as separate aft processes on one store.
struct SoakWorkload: Sendable {
    /// Global options of every command, such as `--consistency lww`.
    let options: [String]
    let seed: UInt64
    /// The workload runs at least this long, then until `isDone` returns true or `maximumDuration` has passed.
    let minimumDuration: Duration
    let maximumDuration: Duration
    /// Decides from what was recorded so far whether the run may stop; checked twice a second.
    let isDone: @Sendable (SoakHistory) -> Bool
    let writers = 3
    let readers = 2
    /// How often a maintenance thread runs `aft recover` beside the traffic.
    let recoveryInterval: Duration = .seconds(2)

    static let groups: [[String]] = [
        ["g1:k1", "g1:k2", "g1:k3"],
        ["g2:k1", "g2:k2", "g2:k3"],
    ]

    /// Faults a writer transaction arms, each with probability 0.4, through AFT_FAULTS in
    /// every command that writes, reads its own write or commits.
    static let faultChoices = [
        "store.put=crash@0.03",
        "write.after:1=crash@0.1",
        "write.after:2=crash@0.1",
        "commit.before-versions=crash@0.1",
        "commit.after-record=crash@0.1",
        "commit.after-index=crash@0.1",
    ]

    /// Faults for the lww run. lww never reaches the commit points, and only a crash after
    /// a transaction's second write leaves part of it visible, so the run favours that fault;
    /// every crash then comes before any commit, which lets the checker count dirty reads.
    static let lastWriterWinsFaultChoices = [
        "write.after:1=crash@0.1",
        "write.after:2=crash@0.3",
    ]

    /// Returns true for a fault spec whose point always comes before the commit point.
    static func isBeforeCommitPoint(_ spec: String) -> Bool {
        spec.hasPrefix("write.after:") || spec.hasPrefix("commit.before-versions=")
    }

    /// Runs the workload on `sandbox` and returns what it recorded.
    func run(in sandbox: Sandbox) -> SoakHistory {
        let history = Locked(SoakHistory())
        for group in Self.groups {
            let initial = sandbox.aft(options + ["put"] + group.map { "\($0)=\(SoakHistory.initialValue)" })
            if initial.status != 0 {
                history.withLock { $0.writerFailures.append("initial put failed: \(initial)") }
            }
        }

        let stopped = Locked(false)
        var loops: [@Sendable () -> Void] = []
        for writer in 1...writers {
            let generator = SeededGenerator(seed: seed &+ UInt64(writer) &* 0x1000)
            loops.append { runWriter(writer, generator: generator, until: stopped, in: sandbox, history: history) }
        }
        for reader in 1...readers {
            let generator = SeededGenerator(seed: seed &+ UInt64(reader) &* 0x1000 &+ 0x100)
            loops.append { runReader(generator: generator, until: stopped, in: sandbox, history: history) }
        }
        loops.append {
            var lastRecovery = ContinuousClock.now
            while !stopped.value {
                if ContinuousClock.now - lastRecovery >= recoveryInterval {
                    sandbox.aft(options + ["recover"])
                    lastRecovery = .now
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        loops.append { stopWhenDone(stopped, history: history) }
        runOnThreads(loops)
        return history.value
    }

    private func stopWhenDone(_ stopped: Locked<Bool>, history: Locked<SoakHistory>) {
        let start = ContinuousClock.now
        while true {
            Thread.sleep(forTimeInterval: 0.5)
            let elapsed = ContinuousClock.now - start
            if elapsed >= maximumDuration || (elapsed >= minimumDuration && isDone(history.value)) {
                stopped.withLock { $0 = true }
                return
            }
        }
    }

    // MARK: Writers

    private func runWriter(
        _ writer: Int, generator: SeededGenerator, until stopped: Locked<Bool>, in sandbox: Sandbox,
        history: Locked<SoakHistory>
    ) {
        var generator = generator
        var number = 0
        while !stopped.value {
            number += 1
            let group = Int.random(in: 0..<Self.groups.count, using: &generator)
            let value = "w\(writer)-\(number)"
            let choices = options.contains("lww") ? Self.lastWriterWinsFaultChoices : Self.faultChoices
            let faults = choices.filter { _ in generator.chance(0.4) }
            let outcome =
                generator.chance(0.5)
                ? writeOnce(value, to: Self.groups[group], faults: faults, in: sandbox, history: history)
                : writeInRegisteredTransaction(value, to: Self.groups[group], faults: faults, in: sandbox, history: history)
            history.withLock { $0.writes.append(WriteRecord(group: group, value: value, outcome: outcome)) }
        }
    }

    /// Writes the group with one `aft put`, which buffers the writes and commits them.
    private func writeOnce(
        _ value: String, to keys: [String], faults: [String], in sandbox: Sandbox, history: Locked<SoakHistory>
    ) -> WriteOutcome {
        let put = sandbox.aft(
            options + ["--json", "put"] + keys.map { "\($0)=\(value)" },
            environment: ["AFT_FAULTS": faults.joined(separator: ",")])
        if put.status == 0 && put.output.contains("\"status\":\"committed\"") {
            return .committed
        }
        if put.status == killedStatus {
            history.withLock { $0.crashes += 1 }
            return faults.allSatisfy(Self.isBeforeCommitPoint) ? .neverCommitted : .unknown
        }
        history.withLock { $0.writerFailures.append("\(put)") }
        return .unknown
    }

    /// Writes the group in a registered transaction, one process per step: stage the first
    /// key, read it back, stage the others, commit. After a failed step it aborts, and
    /// the abort's exit status shows whether the transaction had committed.
    private func writeInRegisteredTransaction(
        _ value: String, to keys: [String], faults: [String], in sandbox: Sandbox, history: Locked<SoakHistory>
    ) -> WriteOutcome {
        let begin = sandbox.aft(options + ["begin"])
        guard begin.status == 0, let id = begin.outputLines.first else {
            history.withLock { $0.writerFailures.append("\(begin)") }
            return .neverCommitted
        }
        let armed = ["AFT_FAULTS": faults.joined(separator: ",")]
        let first = keys[0]
        let steps: [(arguments: [String], isOwnRead: Bool)] = [
            (["put", "-t", id, "\(first)=\(value)"], false),
            (["--json", "get", "-t", id, first], true),
            (["put", "-t", id] + keys.dropFirst().map { "\($0)=\(value)" }, false),
            (["commit", id], false),
        ]
        for step in steps {
            let result = sandbox.aft(options + step.arguments, environment: armed)
            guard result.status == 0 else {
                if result.status == killedStatus {
                    history.withLock { $0.crashes += 1 }
                } else {
                    history.withLock { $0.writerFailures.append("\(result)") }
                }
                return resolveByAborting(id, in: sandbox, history: history)
            }
            if step.isOwnRead {
                let read = Sandbox.parseGetLines(result)?.first?.value
                history.withLock { $0.readYourWrites.append(ReadYourWritesRecord(key: first, written: value, read: read)) }
            }
        }
        return .committed
    }

    /// Aborts a registered transaction whose step failed, and returns what the abort reveals.
    private func resolveByAborting(_ id: String, in sandbox: Sandbox, history: Locked<SoakHistory>) -> WriteOutcome {
        let abort = sandbox.aft(options + ["abort", id])
        if abort.status == 0 { return .neverCommitted }
        if abort.stderr.contains("already committed") { return .committed }
        history.withLock { $0.writerFailures.append("\(abort)") }
        return .unknown
    }

    // MARK: Readers

    /// Reads random groups in random key orders, half in one `aft get` and half one key per
    /// process inside a registered transaction.
    private func runReader(
        generator: SeededGenerator, until stopped: Locked<Bool>, in sandbox: Sandbox,
        history: Locked<SoakHistory>
    ) {
        var generator = generator
        while !stopped.value {
            let group = Int.random(in: 0..<Self.groups.count, using: &generator)
            let order = Self.groups[group].shuffled(using: &generator)
            let read =
                generator.chance(0.5)
                ? sandbox.readAtOnce(order, options: options)
                : sandbox.readInRegisteredTransaction(order, options: options)
            history.withLock { $0.reads.append((group, read)) }
        }
    }
}
