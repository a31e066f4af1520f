import AftEngine
import AftStores
import Testing

/// Makes a fresh, empty store for one test, so the engine tests can run against every backend.
struct StoreFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable () -> any Store

    var testDescription: String { name }

    static let memory = StoreFactory(name: "memory") { MemoryStore() }

    /// The backends that parameterized engine tests run against.
    static let all: [StoreFactory] = [.memory]
}
