@testable import AftEngine
import Testing

/// One client transaction of a random history, with the engine's handle and the checker's view of it.
private final class Client {
    var transaction: Transaction
    var session: AtomicReadChecker.Session
    /// The index of the node whose engine runs the transaction now.
    var node: Int
    let number: Int
    var writeCount = 0

    init(transaction: Transaction, node: Int, number: Int) {
        self.transaction = transaction
        self.session = AtomicReadChecker.Session(id: transaction.id)
        self.node = node
        self.number = number
    }
}

/// What a random history did and the anomalies the checker found in it.
private struct HistoryReport {
    var anomalies: Set<Anomaly> = []
    var reads = 0
    var commits = 0
    var aborts = 0
    var moves = 0

    func count(_ kind: Anomaly.Kind) -> Int {
        anomalies.count { $0.kind == kind }
    }

    /// The anomaly counts by kind, for failure messages.
    var summary: String {
        Anomaly.Kind.allCases.map { "\($0.rawValue): \(count($0))" }.joined(separator: ", ")
    }
}

/// Plays many interleaved transactions over a few keys on several nodes sharing one
/// store, with every choice drawn from a seeded generator, and checks each read.
private struct RandomHistory {
    static let keys = ["a", "b/c", "d e", "ключ"].map(key)
    /// How far each node's clock runs ahead of real time, so stamp order differs from call order.
    static let clockOffsets: [Duration] = [.zero, .milliseconds(3), .microseconds(500)]
    static let maximumOpen = 4

    let seed: UInt64
    let mode: any ConsistencyMode
    let store: any Store
    let engines: [Engine]
    private var random: SplitMix64
    private(set) var checker = AtomicReadChecker()
    private(set) var report = HistoryReport()
    private var open: [Client] = []
    private var started = 0

    init(seed: UInt64, mode: any ConsistencyMode, stores: StoreFactory) throws {
        self.seed = seed
        self.mode = mode
        let store = try stores.make()
        self.store = store
        engines = RandomHistory.clockOffsets.indices.map { Engine(store: store, node: "node-\($0)") }
        for (engine, offset) in zip(engines, RandomHistory.clockOffsets) {
            engine.advanceClock(by: offset)
        }
        random = SplitMix64(seed: seed)
    }

    /// Runs `transactionCount` transactions to their end, each committed or aborted.
    mutating func play(transactionCount: Int) throws {
        while started < transactionCount || !open.isEmpty {
            let mayBegin = started < transactionCount && open.count < RandomHistory.maximumOpen
            if mayBegin && (open.isEmpty || random.chance(0.35)) {
                try beginClient()
            } else {
                try step(open[Int.random(in: open.indices, using: &random)])
            }
        }
    }

    private mutating func beginClient() throws {
        let node = Int.random(in: engines.indices, using: &random)
        // A quarter of the transactions register, so their writes are staged in storage.
        let transaction = random.chance(0.25)
            ? try engines[node].beginRegistered(mode: mode)
            : engines[node].begin(mode: mode)
        open.append(Client(transaction: transaction, node: node, number: started))
        started += 1
    }

    private mutating func step(_ client: Client) throws {
        let key = RandomHistory.keys[Int.random(in: RandomHistory.keys.indices, using: &random)]
        let roll = Double.random(in: 0..<1, using: &random)
        switch roll {
        case ..<0.45:
            try read(key, in: client)
        case ..<0.65:
            client.writeCount += 1
            let value = bytes("seed \(seed) client \(client.number) write \(client.writeCount)")
            try client.transaction.put(key, value)
            client.session.ownWrites[key] = .value(value)
        case ..<0.71:
            try client.transaction.delete(key)
            client.session.ownWrites[key] = .tombstone
        case ..<0.76:
            try move(client)
        case ..<0.93:
            try commit(client)
        default:
            try client.transaction.abort(reason: "random abort")
            report.aborts += 1
            finish(client)
        }
    }

    private mutating func read(_ key: Key, in client: Client) throws {
        let result = try client.transaction.get(key)
        report.reads += 1
        let observed = AtomicReadChecker.Observation(version: result.version, value: result.value)
        let found = checker.checkRead(of: key, observed: observed, session: &client.session, readSet: client.transaction.readSet)
        report.anomalies.formUnion(found)
    }

    /// Continues a registered transaction on another node, as the next function of a request would.
    private mutating func move(_ client: Client) throws {
        guard client.transaction.isRegistered else { return }
        let node = (client.node + 1 + Int.random(in: 0..<(engines.count - 1), using: &random)) % engines.count
        client.transaction = try engines[node].resume(client.transaction.id)
        client.node = node
        report.moves += 1
    }

    private mutating func commit(_ client: Client) throws {
        let outcome = try client.transaction.commit()
        report.commits += 1
        finish(client)
        #expect(Set(outcome.writeSet) == Set(client.session.ownWrites.keys), "seed \(seed): write set of \(client.transaction.id.short)")
        guard !client.session.ownWrites.isEmpty else { return }
        guard let stamp = outcome.stamp else {
            Issue.record("seed \(seed): commit of \(client.transaction.id.short) wrote keys but returned no stamp")
            return
        }
        report.anomalies.formUnion(checker.recordCommit(of: client.session, stamp: stamp))
    }

    private mutating func finish(_ client: Client) {
        open.removeAll { $0 === client }
    }
}

/// Random interleavings of many transactions on several nodes, checked by
/// ``AtomicReadChecker``, which models the history from what the test committed.
@Suite struct RandomizedHistoryTests {
    static let seeds: [UInt64] = [1, 2, 3, 7, 42, 99, 2020, 31_337, 0xDEAD_BEEF, 0x5EED_0001, 987_654_321, 0xFFFF_FFFF_FFFF_FFFF]
    static let transactionsPerSeed = 500

    @Test(arguments: StoreFactory.all, seeds)
    func readAtomicHistoryHasNoAnomalies(stores: StoreFactory, seed: UInt64) throws {
        var history = try RandomHistory(seed: seed, mode: ReadAtomic(), stores: stores)
        do {
            try history.play(transactionCount: Self.transactionsPerSeed)
        } catch {
            Issue.record("seed \(seed): an operation failed: \(error)")
            return
        }

        let report = history.report
        let examples = report.anomalies.map(\.description).sorted().prefix(5)
        #expect(report.anomalies.count == 0, "seed \(seed): \(report.summary); for example \(examples)")
        #expect(report.reads > Self.transactionsPerSeed, "seed \(seed): too few reads to mean anything")
        #expect(report.commits > Self.transactionsPerSeed / 2, "seed \(seed): too few commits to mean anything")
        #expect(report.moves > 0, "seed \(seed): no registered transaction moved between nodes")
        try checkFinalState(of: history)
    }

    /// Checks that every node's fresh transaction first reads the newest committed write, and that no aborted write left a version behind.
    private func checkFinalState(of history: RandomHistory) throws {
        let checker = history.checker
        for engine in history.engines {
            for key in RandomHistory.keys {
                let transaction = engine.begin()
                let value = try transaction.get(key).value
                #expect(value == checker.newestWrite(of: key)?.bytes, "seed \(history.seed): final value of \(key) on \(engine.node)")
            }
        }
        let committedVersions = checker.committed.values.reduce(0) { $0 + $1.writes.count }
        #expect(try history.store.statistics().versions == committedVersions, "seed \(history.seed): versions left by aborted transactions")
    }

    /// The same histories in `lww`, where the checker must find anomalies, which shows it can fail.
    @Test(arguments: StoreFactory.all, seeds)
    func lastWriterWinsHistoryShowsAnomalies(stores: StoreFactory, seed: UInt64) throws {
        var history = try RandomHistory(seed: seed, mode: LastWriterWins(), stores: stores)
        do {
            try history.play(transactionCount: Self.transactionsPerSeed)
        } catch {
            Issue.record("seed \(seed): an operation failed: \(error)")
            return
        }

        let report = history.report
        #expect(report.count(.fracturedRead) > 0, "seed \(seed): \(report.summary)")
        #expect(report.count(.dirtyRead) > 0, "seed \(seed): \(report.summary)")
        #expect(report.count(.readYourWrites) > 0, "seed \(seed): \(report.summary)")
        #expect(report.count(.nonRepeatableRead) > 0, "seed \(seed): \(report.summary)")
    }

    /// Seeds replay a history only while the generator stays the same, so it is pinned to reference outputs.
    @Test func generatorMatchesSplitMix64Reference() {
        var zero = SplitMix64(seed: 0)
        #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
        #expect(zero.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(zero.next() == 0x06C4_5D18_8009_454F)

        var other = SplitMix64(seed: 1_234_567)
        #expect(other.next() == 6_457_827_717_110_365_317)
        #expect(other.next() == 3_203_168_211_198_807_973)
        #expect(other.next() == 9_817_491_932_198_370_423)
    }
}
