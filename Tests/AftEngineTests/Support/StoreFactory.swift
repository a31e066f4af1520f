import AftEngine
import AftStores
import FoundationEssentials
import Testing

/// A named maker of fresh, empty stores, so that the engine tests can run against every backend.
struct StoreFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable () throws -> any Store

    var testDescription: String { name }

    static let memory = StoreFactory(name: "memory") { MemoryStore() }

    /// A fresh SQLite file without fsync at commit, because durability is not what these tests check.
    static let sqlite = StoreFactory(name: "sqlite") {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aft-engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try SQLiteStore(path: directory.appendingPathComponent("aft.db").path, durable: false)
    }

    /// The backends that parameterized engine tests run against.
    static let all: [StoreFactory] = [.memory, .sqlite]
}
