import AftEngine
import Foundation
import Testing

/// Writers overwrite a few keys while `aft gc --grace 1s` runs every second beside
/// readers in registered transactions.
@Suite("garbage collection under sustained overwrites")
struct GarbageCollectionUnderLoadTests {
    static let groups = [["hot:a1", "hot:a2"], ["hot:b1", "hot:b2"]]
    static let grace: Duration = .seconds(1)
    static let duration: Duration = .seconds(8)
    /// Allowance for the difference between aft's wall clock and the test's monotonic clock
    /// while both measure the same few seconds.
    static let clockSlack: Duration = .milliseconds(100)

    struct TimedWrite: Sendable {
        let group: Int
        let start: ContinuousClock.Instant
        let end: ContinuousClock.Instant
    }

    /// One `aft gc` and the versions per key counted in the SQLite file right after it.
    struct Collection: Sendable {
        let start: ContinuousClock.Instant
        let end: ContinuousClock.Instant
        let counted: ContinuousClock.Instant
        let versions: [String: Int]
        let result: CommandResult
    }

    /// One `aft get -t` and how old its transaction was when the get started.
    struct TimedRead: Sendable, CustomStringConvertible {
        let age: Duration
        let key: String
        let result: CommandResult

        var description: String { "get \(key) at transaction age \(age): \(result)" }
    }

    /// One registered reader transaction, from the start of `aft begin` to the end of `aft commit`.
    struct ReaderTransaction: Sendable {
        let begin: ContinuousClock.Instant
        /// Nil when the commit failed, so the transaction may still hold garbage collection back.
        let end: ContinuousClock.Instant?
        let reads: [TimedRead]
    }

    struct Recording: Sendable {
        var writes: [TimedWrite] = []
        var collections: [Collection] = []
        var readers: [ReaderTransaction] = []
    }

    @Test func boundsVersionsUnderOverwrites() throws {
        let sandbox = try Sandbox()
        for group in Self.groups {
            #expect(sandbox.aft(["put"] + group.map { "\($0)=init" }).status == 0)
        }
        let recording = Locked(Recording())
        let deadline = ContinuousClock.now + Self.duration

        var loops: [@Sendable () -> Void] = []
        for writer in 1...2 {
            loops.append { Self.overwrite(writer: writer, until: deadline, in: sandbox, recording: recording) }
        }
        for _ in 1...2 {
            loops.append { Self.readInRegisteredTransactions(until: deadline, in: sandbox, recording: recording) }
        }
        loops.append { Self.collectEverySecond(until: deadline, in: sandbox, recording: recording) }
        runOnThreads(loops)
        let recorded = recording.value

        for reader in recorded.readers {
            for read in reader.reads {
                #expect(read.result.status == 0, "a registered transaction must keep every version it needs: \(read)")
                if read.age < Self.grace {
                    #expect(read.result.status != AftError.Kind.retryableAbort.exitCode, "a read within the grace period was denied its version: \(read)")
                }
            }
            let values = Set(reader.reads.compactMap { Sandbox.parseGetLines($0.result)?.first?.value })
            #expect(values.count <= 1, "a reader saw a partial overwrite: \(reader.reads)")
        }
        #expect(recorded.collections.count >= Int(Self.duration.components.seconds) - 2, "gc ran too rarely")
        for collection in recorded.collections {
            #expect(collection.result.status == 0, "\(collection.result)")
            expectBounded(collection, recorded)
        }

        // Once writes stop and the grace period passes, only each key's newest version remains.
        Thread.sleep(forTimeInterval: 1.2)
        #expect(sandbox.aft("gc", "--grace", "1s").status == 0)
        let inspector = try StoreInspector(path: sandbox.storePath)
        let keys = Self.groups.flatMap { $0 }
        #expect(try inspector.versionCounts() == Dictionary(uniqueKeysWithValues: keys.map { ($0, 1) }))
        let stats = try jsonObject(sandbox.aft("--json", "stats"))
        #expect(stats["versions"] as? Int == keys.count, "\(stats)")
    }

    /// Checks the versions per key counted after one gc against the bound that gc promises.
    ///
    /// gc keeps each key's newest version, and an older one only while the version that
    /// superseded it was indexed after the watermark. The watermark is the earlier of the
    /// gc's start minus the grace period and the begin of the oldest registered
    /// transaction running then. Every writer writes a whole group, so a key has at most
    /// 1 + the writes to its group indexed after the watermark or made between the gc
    /// and the count. A write is indexed before its command ends, so the writes that
    /// ended after the watermark and started before the count are at least that many.
    func expectBounded(_ collection: Collection, _ recorded: Recording, sourceLocation: SourceLocation = #_sourceLocation) {
        let readersRunning = recorded.readers.filter { $0.begin <= collection.end && ($0.end ?? .now) >= collection.start }
        let watermark = min(collection.start - Self.grace, readersRunning.map(\.begin).min() ?? collection.start) - Self.clockSlack
        for (group, keys) in Self.groups.enumerated() {
            let recent = recorded.writes.filter { $0.group == group && $0.end >= watermark && $0.start <= collection.counted }
            for key in keys {
                let versions = collection.versions[key] ?? 0
                #expect(
                    versions <= 1 + recent.count,
                    "\(key) has \(versions) versions after gc, over 1 + \(recent.count) writes to its group since the watermark",
                    sourceLocation: sourceLocation)
            }
        }
    }

    static func overwrite(writer: Int, until deadline: ContinuousClock.Instant, in sandbox: Sandbox, recording: Locked<Recording>) {
        var number = 0
        while ContinuousClock.now < deadline {
            number += 1
            let group = Int.random(in: 0..<groups.count)
            let start = ContinuousClock.now
            sandbox.aft(["put"] + groups[group].map { "\($0)=w\(writer)-\(number)" })
            let write = TimedWrite(group: group, start: start, end: .now)
            recording.withLock { $0.writes.append(write) }
        }
    }

    /// Reads a random group key by key in registered transactions, pausing up to 800 ms
    /// before each read so that some transactions outlive the grace period.
    static func readInRegisteredTransactions(until deadline: ContinuousClock.Instant, in sandbox: Sandbox, recording: Locked<Recording>) {
        while ContinuousClock.now < deadline {
            let begin = ContinuousClock.now
            let started = sandbox.aft("begin")
            guard started.status == 0, let id = started.outputLines.first else { continue }
            var reads: [TimedRead] = []
            for key in groups.randomElement()!.shuffled() {
                Thread.sleep(forTimeInterval: Double.random(in: 0...0.8))
                let age = ContinuousClock.now - begin
                reads.append(TimedRead(age: age, key: key, result: sandbox.aft("--json", "get", "-t", id, key)))
            }
            let commit = sandbox.aft("commit", id)
            let reader = ReaderTransaction(begin: begin, end: commit.status == 0 ? .now : nil, reads: reads)
            recording.withLock { $0.readers.append(reader) }
        }
    }

    /// Starts `aft gc --grace 1s` once a second and counts versions per key after each.
    static func collectEverySecond(until deadline: ContinuousClock.Instant, in sandbox: Sandbox, recording: Locked<Recording>) {
        guard let inspector = try? StoreInspector(path: sandbox.storePath) else { return }
        var next = ContinuousClock.now
        while next < deadline {
            if next > .now {
                Pause.sleep(for: next - .now)
            }
            let start = ContinuousClock.now
            let result = sandbox.aft("gc", "--grace", "1s")
            let end = ContinuousClock.now
            let versions = (try? inspector.versionCounts()) ?? [:]
            let collection = Collection(start: start, end: end, counted: .now, versions: versions, result: result)
            recording.withLock { $0.collections.append(collection) }
            next = start + .seconds(1)
        }
    }
}
