import AftEngine

/// A store in this process's memory, for tests and demos; it vanishes with the process.
public final class MemoryStore: Store {
    private var versions: [VersionID: VersionValue] = [:]
    private var writtenAt: [VersionID: Int64] = [:]
    private var records: [TransactionID: TransactionRecord] = [:]
    /// Each key's index stamps, oldest first.
    private var index: [Key: [CommitStamp]] = [:]
    private var indexedAt: [Key: [CommitStamp: Int64]] = [:]
    private var log: [CommitStamp] = []

    public init() {}

    public var location: String { "memory:" }

    public func writeVersions(_ versions: [Version]) throws(AftError) {
        let now = StampClock.now()
        for version in versions {
            self.versions[version.id] = version.contents
            writtenAt[version.id] = now
        }
    }

    public func readVersions(_ ids: [VersionID]) throws(AftError) -> [VersionID: VersionValue] {
        var found: [VersionID: VersionValue] = [:]
        for id in ids {
            if let contents = versions[id] { found[id] = contents }
        }
        return found
    }

    public func deleteVersions(_ ids: [VersionID]) throws(AftError) {
        for id in ids {
            versions[id] = nil
            writtenAt[id] = nil
        }
    }

    public func insertRecord(_ record: TransactionRecord) throws(AftError) -> TransactionRecord? {
        if let existing = records[record.id] { return existing }
        records[record.id] = record
        return nil
    }

    public func replaceRecord(_ record: TransactionRecord, expectedRevision: Int) throws(AftError) -> RecordReplacement {
        guard let existing = records[record.id] else { return .missing }
        guard existing.revision == expectedRevision else { return .conflict(existing) }
        records[record.id] = record
        return .replaced
    }

    public func readRecords(_ ids: [TransactionID]) throws(AftError) -> [TransactionID: TransactionRecord] {
        var found: [TransactionID: TransactionRecord] = [:]
        for id in ids {
            if let record = records[id] { found[id] = record }
        }
        return found
    }

    public func transactionIDs(withPrefix prefix: String, limit: Int) throws(AftError) -> [TransactionID] {
        Array(records.keys.filter { $0.hex.hasPrefix(prefix) }.sorted().prefix(limit))
    }

    public func indexCommit(_ record: TransactionRecord) throws(AftError) {
        guard let stamp = record.stamp else { return }
        for key in record.writeSet {
            var stamps = index[key, default: []]
            if !stamps.contains(stamp) {
                stamps.insert(stamp, at: stamps.partitioningIndex { $0 > stamp })
                indexedAt[key, default: [:]][stamp] = StampClock.now()
            }
            index[key] = stamps
        }
        if !log.contains(stamp) {
            log.insert(stamp, at: log.partitioningIndex { $0 > stamp })
        }
    }

    public func indexedStamps(of key: Key, olderThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp] {
        let stamps = index[key, default: []]
        return Array(stamps.reversed().lazy.filter { olderThan == nil || $0 < olderThan! }.prefix(limit))
    }

    public func logStamps(olderThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp] {
        Array(log.reversed().lazy.filter { olderThan == nil || $0 < olderThan! }.prefix(limit))
    }

    public func logStamps(newerThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp] {
        Array(log.lazy.filter { newerThan == nil || $0 > newerThan! }.prefix(limit))
    }

    public func indexedKeys(after: Key?, limit: Int) throws(AftError) -> [Key] {
        Array(index.keys.filter { after == nil || $0 > after! }.sorted().prefix(limit))
    }

    public func statistics() throws(AftError) -> StoreStatistics {
        var byStatus: [TransactionStatus: Int] = [:]
        for record in records.values {
            byStatus[record.status, default: 0] += 1
        }
        return StoreStatistics(
            versions: versions.count, indexedKeys: index.count, indexEntries: index.values.reduce(0) { $0 + $1.count },
            transactionsByStatus: byStatus, logEntries: log.count, sizeInBytes: nil)
    }

    // MARK: Garbage collection and recovery

    public func records(after: TransactionID?, limit: Int) throws(AftError) -> [TransactionRecord] {
        records.values.filter { after == nil || $0.id > after! }.sorted { $0.id < $1.id }.prefix(limit).map { $0 }
    }

    public func indexEntries(of key: Key, olderThan: CommitStamp?, limit: Int) throws(AftError) -> [IndexEntry] {
        try indexedStamps(of: key, olderThan: olderThan, limit: limit).map { stamp in
            IndexEntry(stamp: stamp, indexedAt: indexedAt[key]?[stamp] ?? 0)
        }
    }

    public func removeIndexEntries(_ entries: [(key: Key, stamp: CommitStamp)]) throws(AftError) {
        for entry in entries {
            index[entry.key]?.removeAll { $0 == entry.stamp }
            indexedAt[entry.key]?[entry.stamp] = nil
            if index[entry.key]?.isEmpty == true { index[entry.key] = nil }
        }
    }

    public func storedVersions(after: VersionID?, limit: Int) throws(AftError) -> [StoredVersion] {
        func precedes(_ lhs: VersionID, _ rhs: VersionID) -> Bool {
            lhs.key != rhs.key ? lhs.key < rhs.key : lhs.transaction < rhs.transaction
        }
        return versions.keys.filter { after == nil || precedes(after!, $0) }.sorted(by: precedes).prefix(limit).map {
            StoredVersion(id: $0, writtenAt: writtenAt[$0] ?? 0)
        }
    }

    // MARK: Test hooks

    /// Removes a key's index entries for one transaction, as a crash before the index step leaves it.
    public func removeIndexEntries(of transaction: TransactionID) {
        for key in index.keys {
            index[key]?.removeAll { $0.transaction == transaction }
            if index[key]?.isEmpty == true { index[key] = nil }
        }
        log.removeAll { $0.transaction == transaction }
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for an array partitioned by it.
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) {
                high = middle
            } else {
                low = middle + 1
            }
        }
        return low
    }
}
