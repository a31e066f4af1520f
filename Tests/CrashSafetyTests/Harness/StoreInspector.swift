import AftEngine
import AftStores

/// Reads a sandbox's SQLite store directly, beside the aft processes, to see what a crash left in storage.
///
/// It goes through the same `Store` calls that `aft gc` and `aft recover` use, but it
/// never writes.
final class StoreInspector {
    private let store: SQLiteStore

    init(path: String) throws {
        store = try SQLiteStore(path: path)
    }

    /// Lists every stored version, committed, staged or orphaned, in (key, transaction) order.
    func versions() throws -> [StoredVersion] {
        var all: [StoredVersion] = []
        while true {
            let page = try store.storedVersions(after: all.last?.id, limit: 500)
            all += page
            if page.count < 500 { return all }
        }
    }

    /// Lists the stored versions written by `transaction`.
    func versions(of transaction: TransactionID) throws -> [StoredVersion] {
        try versions().filter { $0.id.transaction == transaction }
    }

    /// Counts the stored versions of each key.
    func versionCounts() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for version in try versions() {
            counts[version.id.key.string, default: 0] += 1
        }
        return counts
    }

    /// Lists every transaction record, in id order.
    func records() throws -> [TransactionRecord] {
        var all: [TransactionRecord] = []
        while true {
            let page = try store.records(after: all.last?.id, limit: 500)
            all += page
            if page.count < 500 { return all }
        }
    }

    func record(of transaction: TransactionID) throws -> TransactionRecord? {
        try store.readRecords([transaction])[transaction]
    }

    /// Lists the transactions that have an entry for `key` in the version index, newest first.
    func indexedTransactions(of key: String) throws -> [TransactionID] {
        var stamps: [CommitStamp] = []
        while true {
            let page = try store.indexedStamps(of: Key(key), olderThan: stamps.last, limit: 500)
            stamps += page
            if page.count < 500 { return stamps.map(\.transaction) }
        }
    }
}
