@testable import AftEngine
import AftStores
import Testing

/// Regression tests for the defects of an earlier research prototype of this
/// protocol, with at least one test per defect.
@Suite struct PrototypeDefectTests {
    // MARK: A read that finds nothing is recorded

    @Test(arguments: StoreFactory.all)
    func absentReadPreventsLaterFracturedRead(stores: StoreFactory) throws {
        let store = try stores.make()
        let writer = Engine(store: store, node: "writer")
        let reader = Engine(store: store, node: "reader")
        let transaction = reader.begin()
        #expect(try transaction.getText("first") == nil)
        #expect(transaction.readSet == [key("first"): nullVersion])

        let both = try writer.commitWrites(["first": "new", "second": "new"])
        let bothStamp = try #require(both.stamp)

        // An engine that forgot the empty read would return second@both here, beside first@⊥.
        let result = try transaction.get(key("second"))
        #expect(result.value == nil)
        #expect(result.explanation.candidates == [
            .init(stamp: bothStamp, outcome: .fractured(key: key("first"), readVersion: nil))
        ])
        #expect(try transaction.getText("first") == nil)
    }

    // MARK: The cowritten check fires

    @Test(arguments: StoreFactory.all)
    func cowrittenCheckFiresAcrossNodes(stores: StoreFactory) throws {
        let store = try stores.make()
        let writer = Engine(store: store, node: "writer")
        let reader = Engine(store: store, node: "reader")
        let initial = try writer.commitWrites(["k": "0", "l": "0"])
        let transaction = reader.begin()
        #expect(try transaction.getText("k") == "0")
        let update = try writer.commitWrites(["k": "1", "l": "1"])

        // A check that compared read-set keys with names built from the reader's own id
        // would never match, and would return l@update beside k@initial.
        let result = try transaction.get(key("l"))

        #expect(text(result.value) == "0")
        #expect(result.version == initial.stamp)
        let skipped = try #require(result.explanation.candidates.first)
        #expect(skipped.stamp == update.stamp)
        #expect(skipped.outcome == .fractured(key: key("k"), readVersion: initial.stamp))
    }

    // MARK: Keys with separators and any text

    static let awkwardKeys = [
        "a", "a/b", "a/b/c", "data/a/1700000000/abc", "/leading/slash", "trailing/",
        "host:6379", "a:b:c", "with space", " ", "two\nlines", "tab\there", "carriage\rreturn",
        "back\\slash", "\"quoted\"", "nul\u{0}byte", "ключ", "キー/値", "emoji 🧪", "e\u{301}",
    ]

    @Test(arguments: StoreFactory.all)
    func awkwardKeysRoundTrip(stores: StoreFactory) throws {
        let store = try stores.make()
        let writer = Engine(store: store, node: "writer")
        let reader = Engine(store: store, node: "reader")
        let writing = writer.begin()
        for name in Self.awkwardKeys {
            try writing.put(key(name), bytes("value of \(name)"))
        }
        let outcome = try writing.commit()
        let stamp = try #require(outcome.stamp)
        #expect(outcome.writeSet == Self.awkwardKeys.map(key))

        let reading = reader.begin()
        for name in Self.awkwardKeys {
            let result = try reading.get(key(name))
            #expect(text(result.value) == "value of \(name)", "key \(Escaping.quoted(name))")
            #expect(result.version == stamp, "key \(Escaping.quoted(name))")
        }
        #expect(reading.readSet == Dictionary(uniqueKeysWithValues: Self.awkwardKeys.map { (key($0), Optional(stamp)) }))
        #expect(try store.indexedKeys(after: nil, limit: 100) == Self.awkwardKeys.map(key).sorted())
    }

    @Test(arguments: StoreFactory.all)
    func keysSharingPrefixStayApart(stores: StoreFactory) throws {
        let store = try stores.make()
        let writer = Engine(store: store, node: "writer")
        let reader = Engine(store: store, node: "reader")
        let both = try writer.commitWrites(["a/b": "both", "a": "both"])
        let parentOnly = try writer.commitWrites(["a": "parent only"])

        #expect(try indexedStamps(of: "a/b", in: store) == [both.stamp])
        #expect(try indexedStamps(of: "a", in: store) == [parentOnly.stamp, both.stamp])

        // Reading a/b first makes `both` the lower bound of a, found through the write set.
        let transaction = reader.begin()
        #expect(try transaction.getText("a/b") == "both")
        let parent = try transaction.get(key("a"))
        #expect(text(parent.value) == "parent only")
        #expect(parent.explanation.lowerBound?.stamp == both.stamp)
        #expect(parent.explanation.lowerBound?.readKey == key("a/b"))
    }

    @Test func keyLengthLimitsInBytes() throws {
        let longest = String(repeating: "é", count: Key.maximumByteCount / 2)
        #expect(try Key(longest).string == longest)

        let empty = #expect(throws: AftError.self) { try Key("") }
        #expect(empty?.kind == .invalidInput)
        let tooLong = #expect(throws: AftError.self) { try Key(longest + "x") }
        #expect(tooLong?.kind == .invalidInput)
        let notUTF8 = #expect(throws: AftError.self) { try Key(bytes: [0x61, 0xFF]) }
        #expect(notUTF8?.kind == .invalidInput)
    }

    // MARK: A commit whose version writes fail stays invisible

    static let versionWriteFaults = [
        // The version write itself fails.
        "store.put=error",
        // The versions are written, then the record write fails.
        "store.put=error#2",
        // The first version reaches storage, then the transaction fails.
        "write.after:1=error",
        "write.after:2=error",
        "commit.before-versions=error",
    ]

    @Test(arguments: StoreFactory.all, versionWriteFaults)
    func failedVersionWritesLeaveNoRecord(stores: StoreFactory, fault: String) throws {
        let store = try stores.make()
        let healthy = Engine(store: store, node: "healthy")
        let before = try healthy.commitWrites(["k": "old", "l": "old"])
        var statisticsBefore = try store.statistics()
        // The file size changes with any write to the SQLite log, even one rolled back; the counts must not.
        statisticsBefore.sizeInBytes = nil
        let faulty = Engine(store: store, faults: try FaultPlan(specs: fault), node: "faulty")
        let transaction = faulty.begin()
        try transaction.write(["k": "new", "l": "new", "m": "new"])

        let error = #expect(throws: AftError.self) { try transaction.commit() }

        #expect(error?.kind == .retryableAbort)
        #expect(transaction.isActive == false)
        #expect(try store.readRecords([transaction.id]).isEmpty)
        let versionIDs = ["k", "l", "m"].map { VersionID(key: key($0), transaction: transaction.id) }
        #expect(try store.readVersions(versionIDs).isEmpty)
        var statisticsAfter = try store.statistics()
        statisticsAfter.sizeInBytes = nil
        #expect(statisticsAfter == statisticsBefore)
        #expect(try indexedStamps(of: "k", in: store) == [before.stamp])
        #expect(try healthy.readCommitted("k") == "old")
        #expect(try healthy.readCommitted("l") == "old")
        #expect(try healthy.readCommitted("m") == nil)

        // A second commit reports the first outcome, which is a retryable abort.
        let again = #expect(throws: AftError.self) { try transaction.commit() }
        #expect(again?.kind == .retryableAbort)
    }

    /// A fault that strikes after the commit record is stored.
    struct LateFailure: Sendable, CustomTestStringConvertible {
        let fault: String
        let registered: Bool

        var testDescription: String { "\(fault), \(registered ? "registered" : "buffered")" }
    }

    static let lateFailures = [
        LateFailure(fault: "commit.after-record=error", registered: false),
        LateFailure(fault: "commit.after-record=error", registered: true),
        // A buffered commit puts its versions, then its record, then its index entries.
        LateFailure(fault: "store.put=error#3", registered: false),
    ]

    @Test(arguments: StoreFactory.all, lateFailures)
    func failureAfterCommitPointKeepsCommit(stores: StoreFactory, failure: LateFailure) throws {
        let store = try stores.make()
        let healthy = Engine(store: store, node: "healthy")
        try healthy.commitWrites(["k": "old", "l": "old"])
        let faulty = Engine(store: store, faults: try FaultPlan(specs: failure.fault), node: "faulty")
        let transaction = failure.registered ? try faulty.beginRegistered() : faulty.begin()
        try transaction.write(["k": "new", "l": "new"])

        // The commit is reported with a warning, never as an abort that would invite a second apply.
        let outcome = try transaction.commit()
        #expect(outcome.warning != nil)

        // The record is the commit point, so the transaction is committed whatever the index step did.
        let record = try #require(try store.readRecords([transaction.id])[transaction.id])
        #expect(record.status == .committed)
        #expect(outcome.stamp == record.stamp)
        let versionIDs = ["k", "l"].map { VersionID(key: key($0), transaction: transaction.id) }
        #expect(try store.readVersions(versionIDs).count == 2)
        #expect(try transaction.commit().stamp == record.stamp)

        // Unindexed, it is invisible on both keys. Once recovery indexes it, it is visible on both.
        #expect(try healthy.readCommitted("k") == "old")
        #expect(try healthy.readCommitted("l") == "old")
        #expect(try healthy.recover().repaired == [transaction.id])
        #expect(try healthy.readCommitted("k") == "new")
        #expect(try healthy.readCommitted("l") == "new")
        #expect(try healthy.commit(transaction.id).stamp == record.stamp)
    }

    // MARK: Retried commits report the first outcome

    @Test(arguments: StoreFactory.all)
    func retriedCommitReportsFirstOutcome(stores: StoreFactory) throws {
        let store = try stores.make()
        let first = Engine(store: store, node: "node-a")
        let second = Engine(store: store, node: "node-b")
        let transaction = try first.beginRegistered()
        try transaction.write(["k": "value"])

        let outcome = try first.commit(transaction.id)
        let retried = try first.commit(transaction.id)
        let retriedElsewhere = try second.commit(transaction.id)

        let stamp = try #require(outcome.stamp)
        #expect(outcome.alreadyCommitted == false)
        #expect(outcome.writeSet == [key("k")])
        for repeated in [retried, retriedElsewhere] {
            #expect(repeated.alreadyCommitted)
            #expect(repeated.stamp == stamp)
            #expect(repeated.writeSet == [key("k")])
        }
        #expect(try second.readCommitted("k") == "value")
        #expect(try indexedStamps(of: "k", in: store) == [stamp])
    }

    @Test(arguments: StoreFactory.all)
    func staleHandleCommitReportsFirstOutcome(stores: StoreFactory) throws {
        let store = try stores.make()
        let first = Engine(store: store, node: "node-a")
        let second = Engine(store: store, node: "node-b")
        let transaction = try first.beginRegistered()
        try transaction.write(["k": "value"])
        let outcome = try second.commit(transaction.id)

        // The handle on the first node did not see that commit, so committing through it is a retry.
        let retried = try transaction.commit()

        #expect(retried.stamp == outcome.stamp)
        #expect(retried.alreadyCommitted)
        #expect(try indexedStamps(of: "k", in: store) == [outcome.stamp])
    }

    @Test(arguments: StoreFactory.all)
    func staleHandleWriteLeavesCommitIntact(stores: StoreFactory) throws {
        let store = try stores.make()
        let first = Engine(store: store, node: "node-a")
        let second = Engine(store: store, node: "node-b")
        let transaction = try first.beginRegistered()
        try transaction.write(["k": "committed"])
        let outcome = try second.commit(transaction.id)

        let error = #expect(throws: AftError.self) { try transaction.write(["k": "too late", "l": "too late"]) }

        #expect(error?.kind == .failed)
        #expect(try transaction.commit().stamp == outcome.stamp)
        let versions = try store.readVersions(["k", "l"].map { VersionID(key: key($0), transaction: transaction.id) })
        #expect(versions == [VersionID(key: key("k"), transaction: transaction.id): .value(bytes("committed"))])
        #expect(try second.readCommitted("k") == "committed")
    }

    @Test(arguments: StoreFactory.all)
    func staleHandleWriteAfterAbortStagesNothing(stores: StoreFactory) throws {
        let store = try stores.make()
        let first = Engine(store: store, node: "node-a")
        let second = Engine(store: store, node: "node-b")
        let transaction = try first.beginRegistered()
        try transaction.write(["k": "staged"])
        #expect(try second.abort(transaction.id) == .aborted)

        let error = #expect(throws: AftError.self) { try transaction.write(["l": "orphan"]) }

        #expect(error?.kind == .retryableAbort)
        #expect(transaction.isActive == false)
        #expect(try store.readVersions(["k", "l"].map { VersionID(key: key($0), transaction: transaction.id) }).isEmpty)
    }

    @Test(arguments: StoreFactory.all)
    func commitOfUnknownTransactionFails(stores: StoreFactory) throws {
        let engine = Engine(store: try stores.make(), node: "node-a")
        let unknown = TransactionID()

        let commitError = #expect(throws: AftError.self) { try engine.commit(unknown) }
        let abortError = #expect(throws: AftError.self) { try engine.abort(unknown) }
        let resumeError = #expect(throws: AftError.self) { try engine.resume(unknown) }

        for error in [commitError, abortError, resumeError] {
            #expect(error?.kind == .failed)
            #expect(error?.message.contains(unknown.hex) == true)
        }
    }

    @Test(arguments: StoreFactory.all)
    func commitAfterAbortReportsAbort(stores: StoreFactory) throws {
        let engine = Engine(store: try stores.make(), node: "node-a")
        let transaction = try engine.beginRegistered()
        try transaction.write(["k": "value"])
        #expect(try engine.abort(transaction.id) == .aborted)

        let error = #expect(throws: AftError.self) { try engine.commit(transaction.id) }

        #expect(error?.kind == .retryableAbort)
        #expect(try engine.abort(transaction.id) == .aborted)
        #expect(try engine.readCommitted("k") == nil)
    }

    @Test(arguments: StoreFactory.all)
    func abortAfterCommitFails(stores: StoreFactory) throws {
        let engine = Engine(store: try stores.make(), node: "node-a")
        let transaction = try engine.beginRegistered()
        try transaction.write(["k": "value"])
        _ = try engine.commit(transaction.id)

        let error = #expect(throws: AftError.self) { try engine.abort(transaction.id) }

        #expect(error?.kind == .failed)
        #expect(try engine.readCommitted("k") == "value")
    }

    // MARK: Staged versions of aborted and abandoned transactions are deleted

    @Test(arguments: StoreFactory.all, [false, true])
    func abortDeletesStagedVersions(stores: StoreFactory, abortByID: Bool) throws {
        let store = try stores.make()
        let owner = Engine(store: store, node: "owner")
        let other = Engine(store: store, node: "other")
        try owner.commitWrites(["k": "old"])
        let statisticsBefore = try store.statistics()
        let transaction = try owner.beginRegistered()
        try transaction.write(["k": "staged", "l": "staged"])
        let staged = ["k", "l"].map { VersionID(key: key($0), transaction: transaction.id) }
        #expect(try store.readVersions(staged).count == 2)
        #expect(try other.readCommitted("k") == "old")
        #expect(try other.readCommitted("l") == nil)

        if abortByID {
            #expect(try other.abort(transaction.id) == .aborted)
        } else {
            try transaction.abort(reason: "test abort")
        }

        #expect(try store.readVersions(staged).isEmpty)
        let record = try #require(try store.readRecords([transaction.id])[transaction.id])
        #expect(record.status == .aborted)
        #expect(try store.statistics().versions == statisticsBefore.versions)
        #expect(try other.readCommitted("k") == "old")
    }

    @Test(arguments: StoreFactory.all)
    func expiredLeaseAbortsOnResume(stores: StoreFactory) throws {
        let store = try stores.make()
        let owner = Engine(store: store, node: "owner")
        let other = Engine(store: store, node: "other")
        owner.lease = .milliseconds(1)
        let transaction = try owner.beginRegistered()
        try transaction.write(["k": "staged"])
        Pause.sleep(for: .milliseconds(20))

        let error = #expect(throws: AftError.self) { try other.resume(transaction.id) }

        #expect(error?.kind == .retryableAbort)
        let record = try #require(try store.readRecords([transaction.id])[transaction.id])
        #expect(record.status == .aborted)
        #expect(record.abortReason == "its lease expired")
        #expect(try store.readVersions([VersionID(key: key("k"), transaction: transaction.id)]).isEmpty)
        let commitError = #expect(throws: AftError.self) { try other.commit(transaction.id) }
        #expect(commitError?.kind == .retryableAbort)
        #expect(try other.readCommitted("k") == nil)
    }

    @Test(arguments: StoreFactory.all)
    func liveLeaseAllowsResume(stores: StoreFactory) throws {
        let store = try stores.make()
        let owner = Engine(store: store, node: "owner")
        let other = Engine(store: store, node: "other")
        let transaction = try owner.beginRegistered()
        try transaction.write(["k": "staged"])

        let resumed = try other.resume(transaction.id)

        #expect(try resumed.getText("k") == "staged")
        #expect(try resumed.commit().stamp != nil)
        #expect(try owner.readCommitted("k") == "staged")
    }
}
