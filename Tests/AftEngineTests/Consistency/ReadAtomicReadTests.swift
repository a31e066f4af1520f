@testable import AftEngine
import Testing

/// The read protocol of read-atomic mode on small, hand-built histories.
///
/// Most tests use a writer node and a reader node over one store, because nodes
/// meet only in storage and the reader must not depend on the writer's caches.
@Suite struct ReadAtomicReadTests {
    // MARK: Read your writes and repeatable read

    @Test(arguments: StoreFactory.all, [false, true])
    func readYourWritesReturnsLatestWrite(stores: StoreFactory, registered: Bool) throws {
        let engine = Engine(store: try stores.make(), node: "node-a")
        let committed = try engine.commitWrites(["k": "committed"])
        let transaction = registered ? try engine.beginRegistered() : engine.begin()

        #expect(try transaction.getText("k") == "committed")

        try transaction.write(["k": "first"])
        let first = try transaction.get(key("k"))
        #expect(text(first.value) == "first")
        #expect(first.version == nil)
        #expect(first.explanation.source == .ownWrite)

        try transaction.write(["k": "second"])
        #expect(try transaction.getText("k") == "second")

        try transaction.write(["k": nil])
        let afterDelete = try transaction.get(key("k"))
        #expect(afterDelete.value == nil)
        #expect(afterDelete.explanation.source == .ownWrite)

        // The read before the writes stays in the read set at the version it returned.
        #expect(transaction.readSet == [key("k"): committed.stamp])
    }

    @Test(arguments: StoreFactory.all)
    func readYourWritesAfterResumeOnOtherNode(stores: StoreFactory) throws {
        let store = try stores.make()
        let first = Engine(store: store, node: "node-a")
        let second = Engine(store: store, node: "node-b")
        let transaction = try first.beginRegistered()
        try transaction.write(["k": "staged", "gone": "staged", "gone": nil])

        let resumed = try second.resume(transaction.id)

        #expect(try resumed.getText("k") == "staged")
        #expect(try resumed.getText("gone") == nil)
        #expect(resumed.writeSet == [key("k"), key("gone")])
        #expect(resumed.readSet.isEmpty)
    }

    @Test(arguments: StoreFactory.all)
    func repeatableReadKeepsFirstVersion(stores: StoreFactory) throws {
        let store = try stores.make()
        let writer = Engine(store: store, node: "writer")
        let reader = Engine(store: store, node: "reader")
        let original = try writer.commitWrites(["k": "old"])
        let transaction = reader.begin()
        #expect(try transaction.getText("k") == "old")
        #expect(try transaction.getText("z") == nil)

        try writer.commitWrites(["k": "new", "z": "created"])

        let again = try transaction.get(key("k"))
        #expect(text(again.value) == "old")
        #expect(again.version == original.stamp)
        #expect(again.explanation.source == .repeatedRead)
        let absentAgain = try transaction.get(key("z"))
        #expect(absentAgain.value == nil)
        #expect(absentAgain.version == nil)
        #expect(absentAgain.explanation.source == .repeatedRead)
        #expect(try reader.readCommitted("k") == "new")
        #expect(try reader.readCommitted("z") == "created")
    }

    // MARK: Null versions and tombstones

    @Test(arguments: StoreFactory.all)
    func absentKeyRecordedAsNullVersion(stores: StoreFactory) throws {
        let engine = Engine(store: try stores.make(), node: "node-a")
        try engine.commitWrites(["other": "value"])
        let transaction = engine.begin()

        let result = try transaction.get(key("missing"))

        #expect(result.value == nil)
        #expect(result.version == nil)
        #expect(result.explanation.source == .nullVersion)
        #expect(result.explanation.candidates.isEmpty)
        #expect(result.explanation.lowerBound == nil)
        #expect(transaction.readSet == [key("missing"): nullVersion])
    }

    @Test(arguments: StoreFactory.all)
    func tombstoneReadsAsNotFoundWithVersion(stores: StoreFactory) throws {
        let store = try stores.make()
        let writer = Engine(store: store, node: "writer")
        let reader = Engine(store: store, node: "reader")
        try writer.commitWrites(["k": "0", "l": "0"])
        let deletion = try writer.commitWrites(["k": nil, "l": "1"])
        let deletionStamp = try #require(deletion.stamp)
        let transaction = reader.begin()

        let result = try transaction.get(key("k"))

        #expect(result.value == nil)
        #expect(result.version == deletionStamp)
        #expect(result.explanation.source == .storedVersion)
        #expect(result.explanation.candidates == [.init(stamp: deletionStamp, outcome: .chosen)])
        #expect(transaction.readSet == [key("k"): deletionStamp])

        // The tombstone's transaction is a lower bound like any other version.
        let cowritten = try transaction.get(key("l"))
        #expect(text(cowritten.value) == "1")
        #expect(cowritten.explanation.lowerBound?.stamp == deletionStamp)
        #expect(cowritten.explanation.lowerBound?.readKey == key("k"))

        try writer.commitWrites(["k": "2"])
        #expect(try transaction.getText("k") == nil)
        #expect(try reader.readCommitted("k") == "2")
    }

    // MARK: Lower bound

    @Test(arguments: StoreFactory.all)
    func lowerBoundStopsWalkAtCowrittenVersion(stores: StoreFactory) throws {
        let store = try stores.make()
        let writer = Engine(store: store, node: "writer")
        let reader = Engine(store: store, node: "reader")
        try writer.commitWrites(["k": "0", "l": "0"])
        let transaction = reader.begin()
        #expect(try transaction.getText("m") == nil)
        let first = try writer.commitWrites(["k": "1", "l": "1"])
        let firstStamp = try #require(first.stamp)
        #expect(try transaction.getText("k") == "1")
        let second = try writer.commitWrites(["l": "2", "m": "2"])
        let secondStamp = try #require(second.stamp)

        let result = try transaction.get(key("l"))

        // l@second is skipped (it also wrote m, read as absent), and the walk ends at
        // the lower bound l@first instead of going on to the older l@0.
        #expect(text(result.value) == "1")
        #expect(result.version == firstStamp)
        #expect(result.explanation.lowerBound?.stamp == firstStamp)
        #expect(result.explanation.lowerBound?.readKey == key("k"))
        #expect(result.explanation.candidates == [
            .init(stamp: secondStamp, outcome: .fractured(key: key("m"), readVersion: nil)),
            .init(stamp: firstStamp, outcome: .chosen),
        ])
    }

    @Test(arguments: StoreFactory.all)
    func lowerBoundAllowsNewerVersion(stores: StoreFactory) throws {
        let store = try stores.make()
        let writer = Engine(store: store, node: "writer")
        let reader = Engine(store: store, node: "reader")
        let first = try writer.commitWrites(["k": "1", "l": "1"])
        let transaction = reader.begin()
        #expect(try transaction.getText("k") == "1")
        let second = try writer.commitWrites(["l": "2"])

        let result = try transaction.get(key("l"))

        #expect(text(result.value) == "2")
        #expect(result.version == second.stamp)
        #expect(result.explanation.lowerBound?.stamp == first.stamp)
        #expect(result.explanation.candidates.map(\.outcome) == [.chosen])
    }

    // MARK: Upper bound: the cowritten check

    @Test(arguments: StoreFactory.all)
    func cowrittenCheckSkipsVersionNewerThanRead(stores: StoreFactory) throws {
        let store = try stores.make()
        let writer = Engine(store: store, node: "writer")
        let reader = Engine(store: store, node: "reader")
        let initial = try writer.commitWrites(["k": "0", "l": "0"])
        let initialStamp = try #require(initial.stamp)
        let transaction = reader.begin()
        #expect(try transaction.getText("l") == "0")
        let update = try writer.commitWrites(["k": "1", "l": "1"])
        let updateStamp = try #require(update.stamp)

        let result = try transaction.get(key("k"))

        #expect(text(result.value) == "0")
        #expect(result.version == initialStamp)
        #expect(result.explanation.candidates == [
            .init(stamp: updateStamp, outcome: .fractured(key: key("l"), readVersion: initialStamp)),
            .init(stamp: initialStamp, outcome: .chosen),
        ])
        #expect(result.explanation.lowerBound?.stamp == initialStamp)
        #expect(result.explanation.lowerBound?.readKey == key("l"))
    }

    @Test(arguments: StoreFactory.all)
    func cowrittenCheckCountsNullVersion(stores: StoreFactory) throws {
        let store = try stores.make()
        let writer = Engine(store: store, node: "writer")
        let reader = Engine(store: store, node: "reader")
        let initial = try writer.commitWrites(["k": "0"])
        let initialStamp = try #require(initial.stamp)
        let transaction = reader.begin()
        #expect(try transaction.getText("l") == nil)
        let update = try writer.commitWrites(["k": "1", "l": "1"])
        let updateStamp = try #require(update.stamp)

        let result = try transaction.get(key("k"))

        #expect(text(result.value) == "0")
        #expect(result.version == initialStamp)
        #expect(result.explanation.candidates == [
            .init(stamp: updateStamp, outcome: .fractured(key: key("l"), readVersion: nil)),
            .init(stamp: initialStamp, outcome: .chosen),
        ])
        #expect(result.explanation.lowerBound == nil)
    }

    @Test(arguments: StoreFactory.all)
    func cowrittenCheckFallsBackToNullVersion(stores: StoreFactory) throws {
        let store = try stores.make()
        let writer = Engine(store: store, node: "writer")
        let reader = Engine(store: store, node: "reader")
        let transaction = reader.begin()
        #expect(try transaction.getText("l") == nil)
        let update = try writer.commitWrites(["k": "1", "l": "1"])
        let updateStamp = try #require(update.stamp)

        let result = try transaction.get(key("k"))

        #expect(result.value == nil)
        #expect(result.version == nil)
        #expect(result.explanation.source == .nullVersion)
        #expect(result.explanation.candidates == [
            .init(stamp: updateStamp, outcome: .fractured(key: key("l"), readVersion: nil))
        ])
        #expect(transaction.readSet == [key("l"): nullVersion, key("k"): nullVersion])
    }

    @Test(arguments: StoreFactory.all)
    func cowrittenCheckAcceptsNewerRead(stores: StoreFactory) throws {
        let store = try stores.make()
        let writer = Engine(store: store, node: "writer")
        let reader = Engine(store: store, node: "reader")
        let both = try writer.commitWrites(["k": "1", "l": "1"])
        try writer.commitWrites(["l": "2"])
        let transaction = reader.begin()
        #expect(try transaction.getText("l") == "2")

        let result = try transaction.get(key("k"))

        // l was read at a version newer than k@both, so k@both fractures nothing.
        #expect(text(result.value) == "1")
        #expect(result.version == both.stamp)
        #expect(result.explanation.candidates.map(\.outcome) == [.chosen])
    }

    @Test(arguments: StoreFactory.all)
    func cowrittenCheckWalksAcrossIndexPages(stores: StoreFactory) throws {
        let store = try stores.make()
        let writer = Engine(store: store, node: "writer")
        let reader = Engine(store: store, node: "reader")
        let initial = try writer.commitWrites(["k": "0", "l": "0"])
        let transaction = reader.begin()
        #expect(try transaction.getText("l") == "0")
        // More newer versions than one index scan returns, so the walk needs several pages.
        let updateCount = ReadAtomic.scanPageSize * 2 + 3
        for round in 1...updateCount {
            try writer.commitWrites(["k": "\(round)", "l": "\(round)"])
        }

        let result = try transaction.get(key("k"))

        #expect(text(result.value) == "0")
        #expect(result.version == initial.stamp)
        #expect(result.explanation.candidates.count == updateCount + 1)
        #expect(result.explanation.candidates.dropLast().allSatisfy { $0.outcome != .chosen })
        #expect(result.explanation.candidates.last?.outcome == .chosen)
    }

    // MARK: Commit stamps

    @Test(arguments: StoreFactory.all)
    func commitStampExceedsEveryStampRead(stores: StoreFactory) throws {
        let store = try stores.make()
        let fast = Engine(store: store, node: "fast-clock")
        let slow = Engine(store: store, node: "slow-clock")
        fast.advanceClock(by: .seconds(3600))
        let fastCommit = try fast.commitWrites(["k": "from the future"])
        let fastStamp = try #require(fastCommit.stamp)
        let transaction = slow.begin()
        #expect(try transaction.getText("k") == "from the future")
        try transaction.write(["m": "derived"])

        let outcome = try transaction.commit()

        let stamp = try #require(outcome.stamp)
        #expect(stamp > fastStamp)
        #expect(stamp.timestamp > fastStamp.timestamp)
        #expect(stamp.transaction == transaction.id)
        #expect(outcome.alreadyCommitted == false)
        // The node's next stamp stays above the last one it issued.
        let next = try slow.commitWrites(["n": "later"])
        #expect(try #require(next.stamp) > stamp)
    }

    @Test(arguments: StoreFactory.all)
    func readOnlyCommitHasNoStamp(stores: StoreFactory) throws {
        let store = try stores.make()
        let engine = Engine(store: store, node: "node-a")
        try engine.commitWrites(["k": "value"])
        let recordsBefore = try store.statistics().transactionsByStatus
        let transaction = engine.begin()
        #expect(try transaction.getText("k") == "value")

        let outcome = try transaction.commit()

        #expect(outcome.stamp == nil)
        #expect(outcome.writeSet.isEmpty)
        #expect(try store.statistics().transactionsByStatus == recordsBefore)
    }

    // MARK: Explanations

    @Test(arguments: StoreFactory.all)
    func lastExplanationDescribesLatestRead(stores: StoreFactory) throws {
        let store = try stores.make()
        let writer = Engine(store: store, node: "writer")
        let reader = Engine(store: store, node: "reader")
        let initial = try writer.commitWrites(["k": "0", "l": "0"])
        let initialStamp = try #require(initial.stamp)
        let transaction = reader.begin()
        #expect(transaction.lastExplanation == nil)
        #expect(try transaction.getText("l") == "0")
        let update = try writer.commitWrites(["k": "1", "l": "1"])
        let updateStamp = try #require(update.stamp)

        #expect(try transaction.getText("k") == "0")

        let stored = try #require(transaction.lastExplanation)
        #expect(stored.key == key("k"))
        #expect(stored.source == .storedVersion)
        #expect(stored.lowerBound?.stamp == initialStamp)
        #expect(stored.lowerBound?.readKey == key("l"))
        #expect(stored.candidates == [
            .init(stamp: updateStamp, outcome: .fractured(key: key("l"), readVersion: initialStamp)),
            .init(stamp: initialStamp, outcome: .chosen),
        ])
        #expect(stored.repairedIndex == false)

        #expect(try transaction.getText("l") == "0")
        let repeated = try #require(transaction.lastExplanation)
        #expect(repeated.key == key("l"))
        #expect(repeated.source == .repeatedRead)
        #expect(repeated.candidates.isEmpty)

        try transaction.write(["k": "mine"])
        #expect(try transaction.getText("k") == "mine")
        #expect(transaction.lastExplanation?.source == .ownWrite)
    }
}
