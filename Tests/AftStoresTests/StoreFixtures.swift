import AftEngine
import AftStores
import Foundation

/// The backends the conformance suite runs against.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory
    case sqlite
    /// A real redis-server on 127.0.0.1 that the tests start.
    case redis
    /// A real three-primary Redis Cluster on 127.0.0.1 that the tests start.
    case redisCluster

    var testDescription: String { rawValue }

    /// Opens a fresh, empty store of this kind. Redis stores share a server and get
    /// a key prefix no other test uses.
    func makeStore() throws -> any Store {
        switch self {
        case .memory:
            return MemoryStore()
        case .sqlite:
            return try SQLiteStore(path: TemporaryDirectory.make().appendingPathComponent("aft.db").path)
        case .redis:
            return try RedisStore(url: RedisFixtures.singleURL(), environment: [:])
        case .redisCluster:
            return try RedisStore(url: RedisFixtures.clusterURL(), environment: [:])
        }
    }
}

enum TemporaryDirectory {
    /// Creates a new empty directory under the system's temporary directory.
    static func make() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("aft-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

func key(_ text: String) -> Key {
    Key(trusted: text)
}

/// A committed record writing `keys` at `timestamp`.
func committedRecord(_ keys: [String], at timestamp: Int64, id: TransactionID = TransactionID()) -> TransactionRecord {
    TransactionRecord(
        id: id, status: .committed, mode: "read-atomic", stamp: CommitStamp(timestamp: timestamp, transaction: id),
        writeSet: keys.map(key), startTime: timestamp, node: "test:1")
}

import Testing
