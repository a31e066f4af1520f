@testable import AftEngine
import AftStores
import Testing

/// Tests of crashes after the commit point, which leave a committed record whose index entries are missing.
///
/// Such a transaction stays invisible until something indexes it, and a reader that
/// reaches it as a lower bound repairs the index instead of reading an older version.
@Suite struct CommitRecoveryTests {
    @Test(arguments: StoreFactory.all)
    func crashAfterRecordLeavesInvisibleCommit(stores: StoreFactory) throws {
        let store = try stores.make()
        let survivor = Engine(store: store, node: "survivor")
        let initial = try survivor.commitWrites(["k": "0", "l": "0"])
        let crashing = Engine(store: store, faults: try crashingFaults("commit.after-record=crash"), node: "crashing")
        let transaction = crashing.begin()
        try transaction.write(["k": "1", "l": "1"])

        let error = #expect(throws: AftError.self) { try transaction.commit() }

        #expect(error?.message == simulatedCrash.message)
        let record = try #require(try store.readRecords([transaction.id])[transaction.id])
        #expect(record.status == .committed)
        #expect(try store.readVersions(["k", "l"].map { VersionID(key: key($0), transaction: transaction.id) }).count == 2)
        #expect(try indexedStamps(of: "k", in: store) == [initial.stamp])
        #expect(try indexedStamps(of: "l", in: store) == [initial.stamp])

        // In either order, a reader sees both keys from before the crashed commit.
        for order in [["k", "l"], ["l", "k"]] {
            let reader = survivor.begin()
            for name in order {
                #expect(try reader.getText(name) == "0", "reading \(order)")
            }
        }

        // Recovery on another node indexes the commit, which then shows on both keys.
        #expect(try survivor.recover().repaired == [transaction.id])
        let reader = survivor.begin()
        #expect(try reader.getText("k") == "1")
        #expect(try reader.getText("l") == "1")
    }

    @Test func missingIndexEntriesNeverFractureReads() throws {
        let store = MemoryStore()
        let writer = Engine(store: store, node: "writer")
        let reader = Engine(store: store, node: "reader")
        let initial = try writer.commitWrites(["k": "0", "l": "0"])
        let unindexed = try writer.commitWrites(["k": "1", "l": "1"])
        store.removeIndexEntries(of: unindexed.transaction)

        for order in [["k", "l"], ["l", "k"]] {
            let transaction = reader.begin()
            for name in order {
                let result = try transaction.get(key(name))
                #expect(text(result.value) == "0", "reading \(order)")
                #expect(result.version == initial.stamp, "reading \(order)")
            }
        }
        #expect(try store.logStamps(olderThan: nil, limit: 10) == [initial.stamp])
    }

    /// Indexes `transaction` on `keys` only, as a crash part way through the index step leaves it.
    private func indexPartially(_ transaction: TransactionID, keys: [String], in store: MemoryStore) throws {
        var record = try #require(try store.readRecords([transaction])[transaction])
        store.removeIndexEntries(of: transaction)
        record.writeSet = keys.map(key)
        try store.indexCommit(record)
    }

    @Test func lowerBoundReaderRepairsMissingIndexEntry() throws {
        let store = MemoryStore()
        let writer = Engine(store: store, node: "writer")
        let reader = Engine(store: store, node: "reader")
        let initial = try writer.commitWrites(["k": "0", "l": "0"])
        let partial = try writer.commitWrites(["k": "1", "l": "1"])
        let partialStamp = try #require(partial.stamp)
        try indexPartially(partial.transaction, keys: ["k"], in: store)
        #expect(try indexedStamps(of: "l", in: store) == [initial.stamp])

        let transaction = reader.begin()
        #expect(try transaction.getText("k") == "1")
        let result = try transaction.get(key("l"))

        // Without the repair, l@initial would sit beside k@partial, which is a fractured read.
        #expect(text(result.value) == "1")
        #expect(result.version == partialStamp)
        #expect(result.explanation.repairedIndex)
        #expect(result.explanation.lowerBound?.stamp == partialStamp)
        #expect(result.explanation.candidates == [.init(stamp: partialStamp, outcome: .chosen)])
        #expect(try indexedStamps(of: "l", in: store) == [partialStamp, initial.stamp])

        // The repair happens once, so the next reader finds l@partial in the index.
        let later = reader.begin()
        #expect(try later.getText("k") == "1")
        let repeated = try later.get(key("l"))
        #expect(text(repeated.value) == "1")
        #expect(repeated.explanation.repairedIndex == false)
        #expect(try indexedStamps(of: "l", in: store) == [partialStamp, initial.stamp])
    }

    @Test func partialIndexInvisibleFromUnindexedSide() throws {
        let store = MemoryStore()
        let writer = Engine(store: store, node: "writer")
        let reader = Engine(store: store, node: "reader")
        let initial = try writer.commitWrites(["k": "0", "l": "0"])
        let partial = try writer.commitWrites(["k": "1", "l": "1"])
        try indexPartially(partial.transaction, keys: ["k"], in: store)

        let transaction = reader.begin()
        #expect(try transaction.getText("l") == "0")
        let result = try transaction.get(key("k"))

        // l was read before the partial commit, so k@partial is skipped and no repair happens.
        #expect(text(result.value) == "0")
        #expect(result.version == initial.stamp)
        #expect(result.explanation.repairedIndex == false)
        #expect(try indexedStamps(of: "l", in: store) == [initial.stamp])
    }

    /// A retried request whose first attempt crashed after the commit point reports
    /// "already committed", so the retry must leave that commit visible.
    @Test(arguments: StoreFactory.all)
    func requestRetryIndexesCrashedCommit(stores: StoreFactory) throws {
        let store = try stores.make()
        let survivor = Engine(store: store, node: "survivor")
        try survivor.commitWrites(["k": "0", "l": "0"])
        let crashing = Engine(store: store, faults: try crashingFaults("commit.after-record=crash"), node: "crashing")
        guard case .run(let attempt) = try crashing.beginRequest(idempotencyKey: "request-1") else {
            Issue.record("the first attempt of a new request must run")
            return
        }
        try attempt.write(["k": "1", "l": "1"])
        #expect(throws: AftError.self) { try attempt.commit() }
        #expect(try survivor.readCommitted("k") == "0")

        guard case .alreadyCommitted(let outcome) = try survivor.beginRequest(idempotencyKey: "request-1") else {
            Issue.record("a request that committed must not run again")
            return
        }
        #expect(outcome.transaction == attempt.id)
        #expect(try survivor.readCommitted("k") == "1")
        #expect(try survivor.readCommitted("l") == "1")
        #expect(try survivor.recover().repaired == [], "the retry already indexed the commit")
    }
}
