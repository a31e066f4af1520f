import AftEngine
import AftStores
import Testing

/// The storage contract, checked against every backend.
@Suite struct StoreConformanceTests {
    static let unusualKeys = ["a/b/c", "x:y:z", "with space", "line\nbreak", "日本語", "emoji 🙂", "nul\u{0}inside", "%2F"]

    @Test(arguments: StoreKind.allCases)
    func versionsRoundTripBytesAndTombstones(kind: StoreKind) throws {
        let store = try kind.makeStore()
        let id = TransactionID()
        let allBytes = (0...255).map(UInt8.init)
        try store.writeVersions([
            Version(key: key("binary"), transaction: id, contents: .value(allBytes)),
            Version(key: key("empty"), transaction: id, contents: .value([])),
            Version(key: key("gone"), transaction: id, contents: .tombstone),
        ])
        let ids = ["binary", "empty", "gone", "never"].map { VersionID(key: key($0), transaction: id) }
        let found = try store.readVersions(ids)
        #expect(found[ids[0]] == .value(allBytes))
        #expect(found[ids[1]] == .value([]))
        #expect(found[ids[2]] == .tombstone)
        #expect(found[ids[3]] == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func versionsKeepUnusualKeysApart(kind: StoreKind) throws {
        let store = try kind.makeStore()
        let id = TransactionID()
        let versions = Self.unusualKeys.map { Version(key: key($0), transaction: id, contents: .value(Array($0.utf8))) }
        try store.writeVersions(versions)
        let found = try store.readVersions(versions.map(\.id))
        for version in versions {
            #expect(found[version.id] == version.contents, "key \(Escaping.quoted(version.id.key.string))")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func writeVersionsReplacesSameVersion(kind: StoreKind) throws {
        let store = try kind.makeStore()
        let id = TransactionID()
        try store.writeVersions([Version(key: key("k"), transaction: id, contents: .value([1]))])
        try store.writeVersions([Version(key: key("k"), transaction: id, contents: .value([2]))])
        let versionID = VersionID(key: key("k"), transaction: id)
        #expect(try store.readVersions([versionID])[versionID] == .value([2]))
    }

    @Test(arguments: StoreKind.allCases)
    func deleteVersionsRemovesOnlyNamed(kind: StoreKind) throws {
        let store = try kind.makeStore()
        let first = TransactionID()
        let second = TransactionID()
        try store.writeVersions([
            Version(key: key("k"), transaction: first, contents: .value([1])),
            Version(key: key("k"), transaction: second, contents: .value([2])),
        ])
        try store.deleteVersions([VersionID(key: key("k"), transaction: first), VersionID(key: key("missing"), transaction: first)])
        let found = try store.readVersions([VersionID(key: key("k"), transaction: first), VersionID(key: key("k"), transaction: second)])
        #expect(found.count == 1)
        #expect(found[VersionID(key: key("k"), transaction: second)] == .value([2]))
    }

    @Test(arguments: StoreKind.allCases)
    func insertRecordKeepsFirst(kind: StoreKind) throws {
        let store = try kind.makeStore()
        var record = committedRecord(["a", "b"], at: 100)
        record.readSet = [key("c"): nil, key("d"): CommitStamp(timestamp: 50, transaction: TransactionID())]
        #expect(try store.insertRecord(record) == nil)

        var second = record
        second.status = .aborted
        let existing = try store.insertRecord(second)
        #expect(existing == record)
        #expect(try store.readRecords([record.id])[record.id] == record)
    }

    @Test(arguments: StoreKind.allCases)
    func replaceRecordComparesRevision(kind: StoreKind) throws {
        let store = try kind.makeStore()
        let id = TransactionID()
        let running = TransactionRecord(id: id, status: .running, mode: "read-atomic", startTime: 1, node: "n", leaseExpiry: 99)
        _ = try store.insertRecord(running)

        var next = running
        next.revision = 1
        next.writeSet = [key("x")]
        #expect(try store.replaceRecord(next, expectedRevision: 0) == .replaced)

        var stale = running
        stale.revision = 1
        stale.status = .aborted
        #expect(try store.replaceRecord(stale, expectedRevision: 0) == .conflict(next))
        #expect(try store.readRecords([id])[id] == next)

        let unknown = TransactionRecord(id: TransactionID(), status: .running, mode: "read-atomic", startTime: 1, node: "n")
        #expect(try store.replaceRecord(unknown, expectedRevision: 0) == .missing)
    }

    @Test(arguments: StoreKind.allCases)
    func transactionIDsMatchPrefix(kind: StoreKind) throws {
        let store = try kind.makeStore()
        let ids = ["ab000000000000000000000000000001", "ab000000000000000000000000000002", "ac000000000000000000000000000003"]
            .map { TransactionID(hex: $0)! }
        for id in ids {
            _ = try store.insertRecord(committedRecord(["k"], at: 1, id: id))
        }
        #expect(try store.transactionIDs(withPrefix: "ab", limit: 10) == Array(ids[0...1]))
        #expect(try store.transactionIDs(withPrefix: "ac", limit: 10) == [ids[2]])
        #expect(try store.transactionIDs(withPrefix: "a", limit: 2).count == 2)
        #expect(try store.transactionIDs(withPrefix: "b", limit: 10).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func indexedStampsNewestFirstWithCursor(kind: StoreKind) throws {
        let store = try kind.makeStore()
        let records = (1...5).map { committedRecord(["k", "other"], at: Int64($0) * 10) }
        for record in records.shuffled() {
            try store.indexCommit(record)
        }
        let all = try store.indexedStamps(of: key("k"), olderThan: nil, limit: 10)
        #expect(all == records.reversed().map { $0.stamp! })

        let page = try store.indexedStamps(of: key("k"), olderThan: records[3].stamp, limit: 2)
        #expect(page == [records[2].stamp!, records[1].stamp!])
        #expect(try store.indexedStamps(of: key("missing"), olderThan: nil, limit: 10).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func indexedStampsBreakTiesById(kind: StoreKind) throws {
        let store = try kind.makeStore()
        let low = committedRecord(["k"], at: 7, id: TransactionID(hex: "00000000000000000000000000000001")!)
        let high = committedRecord(["k"], at: 7, id: TransactionID(hex: "f0000000000000000000000000000000")!)
        try store.indexCommit(low)
        try store.indexCommit(high)
        #expect(try store.indexedStamps(of: key("k"), olderThan: nil, limit: 5) == [high.stamp!, low.stamp!])
        #expect(try store.indexedStamps(of: key("k"), olderThan: high.stamp, limit: 5) == [low.stamp!])
    }

    @Test(arguments: StoreKind.allCases)
    func indexCommitIsIdempotent(kind: StoreKind) throws {
        let store = try kind.makeStore()
        let record = committedRecord(["a", "b"], at: 5)
        try store.indexCommit(record)
        try store.indexCommit(record)
        #expect(try store.indexedStamps(of: key("a"), olderThan: nil, limit: 10) == [record.stamp!])
        #expect(try store.logStamps(olderThan: nil, limit: 10) == [record.stamp!])
        let stats = try store.statistics()
        #expect(stats.indexEntries == 2)
        #expect(stats.logEntries == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func logStampsPageBothWays(kind: StoreKind) throws {
        let store = try kind.makeStore()
        let records = (1...4).map { committedRecord(["k\($0)"], at: Int64($0)) }
        for record in records {
            try store.indexCommit(record)
        }
        let stamps = records.map { $0.stamp! }
        #expect(try store.logStamps(olderThan: nil, limit: 10) == stamps.reversed())
        #expect(try store.logStamps(olderThan: stamps[2], limit: 1) == [stamps[1]])
        #expect(try store.logStamps(newerThan: nil, limit: 2) == Array(stamps[0...1]))
        #expect(try store.logStamps(newerThan: stamps[1], limit: 10) == Array(stamps[2...3]))
    }

    @Test(arguments: StoreKind.allCases)
    func indexedKeysInByteOrder(kind: StoreKind) throws {
        let store = try kind.makeStore()
        try store.indexCommit(committedRecord(Self.unusualKeys, at: 1))
        let expected = Self.unusualKeys.map(key).sorted()
        #expect(try store.indexedKeys(after: nil, limit: 100) == expected)
        #expect(try store.indexedKeys(after: expected[2], limit: 2) == Array(expected[3...4]))
    }

    @Test(arguments: StoreKind.allCases)
    func statisticsCountContents(kind: StoreKind) throws {
        let store = try kind.makeStore()
        let record = committedRecord(["a", "b"], at: 1)
        try store.writeVersions(record.writeSet.map { Version(key: $0, transaction: record.id, contents: .value([1])) })
        _ = try store.insertRecord(record)
        try store.indexCommit(record)
        _ = try store.insertRecord(TransactionRecord(id: TransactionID(), status: .running, mode: "read-atomic", startTime: 1, node: "n"))
        let stats = try store.statistics()
        #expect(stats.versions == 2)
        #expect(stats.indexedKeys == 2)
        #expect(stats.transactionsByStatus[.committed] == 1)
        #expect(stats.transactionsByStatus[.running] == 1)
    }

    // MARK: Garbage collection and recovery

    @Test(arguments: StoreKind.allCases)
    func recordsPageInIdOrder(kind: StoreKind) throws {
        let store = try kind.makeStore()
        let records = (1...7).map { committedRecord(["k\($0)"], at: Int64($0)) }.sorted { $0.id < $1.id }
        for record in records.shuffled() {
            _ = try store.insertRecord(record)
        }
        #expect(try store.records(after: nil, limit: 3) == Array(records[0..<3]))
        #expect(try store.records(after: records[2].id, limit: 3) == Array(records[3..<6]))
        #expect(try store.records(after: records[5].id, limit: 3) == [records[6]])
        #expect(try store.records(after: records[6].id, limit: 3).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func indexEntriesKeepFirstIndexTime(kind: StoreKind) throws {
        let store = try kind.makeStore()
        let older = committedRecord(["k"], at: 10)
        let newer = committedRecord(["k"], at: 20)
        let start = StampClock.now()
        try store.indexCommit(older)
        try store.indexCommit(newer)
        let end = StampClock.now()

        let entries = try store.indexEntries(of: key("k"), olderThan: nil, limit: 10)
        #expect(entries.map(\.stamp) == [newer.stamp!, older.stamp!])
        for entry in entries {
            #expect((start...end).contains(entry.indexedAt))
        }
        #expect(try store.indexEntries(of: key("k"), olderThan: newer.stamp, limit: 10).map(\.stamp) == [older.stamp!])

        try store.indexCommit(older)
        #expect(try store.indexEntries(of: key("k"), olderThan: nil, limit: 10) == entries)
    }

    @Test(arguments: StoreKind.allCases)
    func removeIndexEntriesKeepsLog(kind: StoreKind) throws {
        let store = try kind.makeStore()
        let older = committedRecord(["shared", "gone"], at: 10)
        let newer = committedRecord(["shared"], at: 20)
        try store.indexCommit(older)
        try store.indexCommit(newer)

        try store.removeIndexEntries([(key: key("shared"), stamp: older.stamp!), (key: key("gone"), stamp: older.stamp!)])
        #expect(try store.indexedStamps(of: key("shared"), olderThan: nil, limit: 10) == [newer.stamp!])
        #expect(try store.indexEntries(of: key("gone"), olderThan: nil, limit: 10).isEmpty)
        #expect(try store.indexedKeys(after: nil, limit: 10) == [key("shared")])
        #expect(try store.logStamps(olderThan: nil, limit: 10) == [newer.stamp!, older.stamp!])
        #expect(try store.statistics().indexEntries == 1)
        #expect(try store.statistics().indexedKeys == 1)

        // A removed entry comes back when the commit is indexed again, as recovery does.
        try store.indexCommit(older)
        #expect(try store.indexedKeys(after: nil, limit: 10) == [key("gone"), key("shared")])
    }

    @Test(arguments: StoreKind.allCases)
    func storedVersionsPageInKeyOrder(kind: StoreKind) throws {
        let store = try kind.makeStore()
        let low = TransactionID(hex: "00000000000000000000000000000001")!
        let high = TransactionID(hex: "f0000000000000000000000000000000")!
        let keys = Self.unusualKeys + ["nul", "nul\u{0}", "nula"]
        let versions = keys.flatMap { name in
            [high, low].map { Version(key: key(name), transaction: $0, contents: .value([1])) }
        }
        let start = StampClock.now()
        try store.writeVersions(versions)
        let end = StampClock.now()

        let expected = versions.map(\.id).sorted { $0.key != $1.key ? $0.key < $1.key : $0.transaction < $1.transaction }
        var listed: [StoredVersion] = []
        while true {
            let page = try store.storedVersions(after: listed.last?.id, limit: 4)
            listed += page
            if page.count < 4 { break }
        }
        #expect(listed.map(\.id) == expected)
        #expect(listed.allSatisfy { (start...end).contains($0.writtenAt) })

        try store.deleteVersions([expected[0], expected[5]])
        let remaining = expected.filter { $0 != expected[0] && $0 != expected[5] }
        #expect(try store.storedVersions(after: nil, limit: 100).map(\.id) == remaining)
    }
}

/// `aft export` and `aft import` move committed history between any two backends.
@Suite struct HistoryTransferTests {
    @Test(arguments: StoreKind.allCases)
    func exportFromSQLiteImportsInto(kind: StoreKind) throws {
        let source = Engine(store: try StoreKind.sqlite.makeStore())
        let first = source.begin()
        try first.put(key("a/b"), Array("one".utf8))
        try first.put(key("line\nbreak"), [0, 255, 1])
        try first.commit()
        let second = source.begin()
        _ = try second.get(key("absent"))
        try second.delete(key("a/b"))
        try second.put(key("日本語"), Array("two".utf8))
        try second.commit()

        var lines: [ExportedTransaction] = []
        let exported = try source.exportCommitted { lines.append($0) }
        #expect(exported.transactions == 2)
        #expect(exported.versions == 4)

        let target = Engine(store: try kind.makeStore())
        for line in lines {
            #expect(try target.importTransaction(try target.prepareImport(line)))
        }
        for line in lines {
            #expect(try !target.importTransaction(try target.prepareImport(line)), "a second import must change nothing")
        }

        let reader = target.begin()
        #expect(try reader.get(key("a/b")).value == nil)
        #expect(try reader.get(key("line\nbreak")).value == [0, 255, 1])
        #expect(try reader.get(key("日本語")).value == Array("two".utf8))
        var again: [ExportedTransaction] = []
        _ = try target.exportCommitted { again.append($0) }
        #expect(again.sorted { $0.transaction < $1.transaction } == lines.sorted { $0.transaction < $1.transaction })
    }
}
