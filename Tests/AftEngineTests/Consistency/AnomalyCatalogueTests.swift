@testable import AftEngine
import Testing

/// Three nodes over one store, running every transaction in one consistency mode.
private struct Nodes {
    let store: any Store
    let engines: [Engine]
    let mode: any ConsistencyMode

    init(_ stores: StoreFactory, mode: any ConsistencyMode) throws {
        let store = try stores.make()
        self.store = store
        engines = (1...3).map { Engine(store: store, node: "node-\($0)") }
        self.mode = mode
    }

    func begin(on node: Int) -> Transaction {
        engines[node].begin(mode: mode)
    }

    func beginRegistered(on node: Int) throws -> Transaction {
        try engines[node].beginRegistered(mode: mode)
    }

    /// Makes `writes` in `transaction` after a short pause.
    ///
    /// Each node stamps with its own wall clock, and the pause keeps the stamps of
    /// different nodes in the order of the steps, which is what `lww` calls newest.
    func write(_ transaction: Transaction, _ writes: KeyValuePairs<String, String?>) throws {
        Pause.sleep(for: .microseconds(50))
        try transaction.write(writes)
    }

    /// Commits the starting values from the last node.
    func setUp(_ writes: KeyValuePairs<String, String?>) throws {
        let transaction = begin(on: 2)
        try write(transaction, writes)
        try transaction.commit()
    }

    /// Reads one key in a fresh transaction on `node`.
    func readFresh(_ name: String, on node: Int) throws -> String? {
        let transaction = begin(on: node)
        defer { try? transaction.abort() }
        return try transaction.getText(name)
    }
}

/// The anomalies of the Hermitage catalogue of isolation tests, applied to keys.
///
/// Each scenario is played as interleaved transactions on several nodes, once in
/// `read-atomic` and once in `lww`, which shows the anomaly where read atomic
/// isolation prevents it. Lost update and write skew happen in both modes, because
/// read atomic isolation is not serializable.
@Suite struct AnomalyCatalogueTests {
    // MARK: G0, dirty write

    /// Plays two transactions that write x and y in opposite orders and then both commit.
    private func playDirtyWrite(_ stores: StoreFactory, mode: any ConsistencyMode) throws -> (x: String?, y: String?, winner: String) {
        let nodes = try Nodes(stores, mode: mode)
        try nodes.setUp(["x": "initial", "y": "initial"])
        let first = nodes.begin(on: 0)
        let second = nodes.begin(on: 1)
        try nodes.write(first, ["x": "first"])
        try nodes.write(second, ["x": "second", "y": "second"])
        try nodes.write(first, ["y": "first"])
        let secondStamp = try #require(try second.commit().stamp)
        let firstStamp = try #require(try first.commit().stamp)

        let reader = nodes.begin(on: 2)
        return (try reader.getText("x"), try reader.getText("y"), firstStamp > secondStamp ? "first" : "second")
    }

    @Test(arguments: StoreFactory.all)
    func g0DirtyWritePrevented(stores: StoreFactory) throws {
        let readAtomic = try playDirtyWrite(stores, mode: ReadAtomic())
        #expect(readAtomic.x == readAtomic.winner)
        #expect(readAtomic.y == readAtomic.winner)

        let lww = try playDirtyWrite(stores, mode: LastWriterWins())
        #expect(lww.x == "second")
        #expect(lww.y == "first")
    }

    // MARK: G1a, aborted read

    /// Plays a registered writer that stages x in storage, a reader that looks, and the writer's abort.
    private func playAbortedRead(_ stores: StoreFactory, mode: any ConsistencyMode) throws -> (whileRunning: String?, afterAbort: String?) {
        let nodes = try Nodes(stores, mode: mode)
        try nodes.setUp(["x": "initial"])
        let writer = try nodes.beginRegistered(on: 0)
        try nodes.write(writer, ["x": "aborted"])

        let whileRunning = try nodes.readFresh("x", on: 1)
        try writer.abort()
        let afterAbort = try nodes.readFresh("x", on: 2)
        return (whileRunning, afterAbort)
    }

    @Test(arguments: StoreFactory.all)
    func g1aAbortedReadPrevented(stores: StoreFactory) throws {
        let readAtomic = try playAbortedRead(stores, mode: ReadAtomic())
        #expect(readAtomic.whileRunning == "initial")
        #expect(readAtomic.afterAbort == "initial")

        let lww = try playAbortedRead(stores, mode: LastWriterWins())
        #expect(lww.whileRunning == "aborted")
        #expect(lww.afterAbort == "aborted")
    }

    // MARK: G1b, intermediate read

    /// Plays a registered writer that writes x twice and a reader that looks between the two writes.
    private func playIntermediateRead(_ stores: StoreFactory, mode: any ConsistencyMode) throws -> (between: String?, afterCommit: String?) {
        let nodes = try Nodes(stores, mode: mode)
        try nodes.setUp(["x": "initial"])
        let writer = try nodes.beginRegistered(on: 0)
        try nodes.write(writer, ["x": "intermediate"])

        let between = try nodes.readFresh("x", on: 1)
        try nodes.write(writer, ["x": "final"])
        try writer.commit()
        let afterCommit = try nodes.readFresh("x", on: 2)
        return (between, afterCommit)
    }

    @Test(arguments: StoreFactory.all)
    func g1bIntermediateReadPrevented(stores: StoreFactory) throws {
        let readAtomic = try playIntermediateRead(stores, mode: ReadAtomic())
        #expect(readAtomic.between == "initial")
        #expect(readAtomic.afterCommit == "final")

        let lww = try playIntermediateRead(stores, mode: LastWriterWins())
        #expect(lww.between == "intermediate")
        #expect(lww.afterCommit == "final")
    }

    // MARK: G1c, circular information flow

    /// Plays two transactions that each write one key and then read the key the other wrote.
    private func playCircularFlow(_ stores: StoreFactory, mode: any ConsistencyMode) throws -> (firstSaw: String?, secondSaw: String?) {
        let nodes = try Nodes(stores, mode: mode)
        try nodes.setUp(["x": "initial", "y": "initial"])
        let first = nodes.begin(on: 0)
        let second = nodes.begin(on: 1)
        try nodes.write(first, ["x": "first"])
        try nodes.write(second, ["y": "second"])

        let firstSaw = try first.getText("y")
        let secondSaw = try second.getText("x")
        try first.commit()
        try second.commit()
        return (firstSaw, secondSaw)
    }

    @Test(arguments: StoreFactory.all)
    func g1cCircularFlowPrevented(stores: StoreFactory) throws {
        let readAtomic = try playCircularFlow(stores, mode: ReadAtomic())
        #expect(readAtomic.firstSaw == "initial")
        #expect(readAtomic.secondSaw == "initial")

        // Each transaction read the other's write, which is a cycle of write-read dependencies.
        let lww = try playCircularFlow(stores, mode: LastWriterWins())
        #expect(lww.firstSaw == "second")
        #expect(lww.secondSaw == "first")
    }

    @Test(arguments: StoreFactory.all)
    func g1cStampsFollowInformationFlow(stores: StoreFactory) throws {
        let nodes = try Nodes(stores, mode: ReadAtomic())
        nodes.engines[0].advanceClock(by: .seconds(60))
        let first = nodes.begin(on: 0)
        try nodes.write(first, ["x": "first"])
        let firstStamp = try #require(try first.commit().stamp)

        // The first node's clock runs a minute ahead, and the second node reads its commit.
        let second = nodes.begin(on: 1)
        #expect(try second.getText("x") == "first")
        try nodes.write(second, ["y": "second"])
        let secondStamp = try #require(try second.commit().stamp)

        #expect(secondStamp > firstStamp)
        let reader = nodes.begin(on: 2)
        #expect(try reader.getText("y") == "second")
        #expect(try reader.getText("x") == "first")
    }

    // MARK: OTV, observed transaction vanishes

    /// Plays an observer that reads x from a first writer before a second writer overwrites x and y.
    private func playObservedVanishes(_ stores: StoreFactory, mode: any ConsistencyMode) throws -> (x: String?, y: String?, xAgain: String?) {
        let nodes = try Nodes(stores, mode: mode)
        try nodes.setUp(["x": "initial", "y": "initial"])
        let first = nodes.begin(on: 0)
        try nodes.write(first, ["x": "first", "y": "first"])
        try first.commit()
        let observer = nodes.begin(on: 2)
        let x = try observer.getText("x")

        let second = nodes.begin(on: 1)
        try nodes.write(second, ["x": "second", "y": "second"])
        try second.commit()
        return (x, try observer.getText("y"), try observer.getText("x"))
    }

    @Test(arguments: StoreFactory.all)
    func otvObservedTransactionStays(stores: StoreFactory) throws {
        let readAtomic = try playObservedVanishes(stores, mode: ReadAtomic())
        #expect(readAtomic.x == "first")
        #expect(readAtomic.y == "first")
        #expect(readAtomic.xAgain == "first")

        // lww pairs x from the first writer with y from the second, which also overwrote x.
        let lww = try playObservedVanishes(stores, mode: LastWriterWins())
        #expect(lww.x == "first")
        #expect(lww.y == "second")
        #expect(lww.xAgain == "second")
    }

    // MARK: Read skew, G-single

    /// Plays a reader that reads x, a writer that moves 2 from y to x, and the reader reading y.
    ///
    /// x and y sum to 30 before and after the move.
    private func playReadSkew(_ stores: StoreFactory, mode: any ConsistencyMode) throws -> (x: String?, y: String?) {
        let nodes = try Nodes(stores, mode: mode)
        try nodes.setUp(["x": "10", "y": "20"])
        let reader = nodes.begin(on: 0)
        let x = try reader.getText("x")

        let writer = nodes.begin(on: 1)
        #expect(try writer.getText("x") == "10")
        #expect(try writer.getText("y") == "20")
        try nodes.write(writer, ["x": "12", "y": "18"])
        try writer.commit()
        return (x, try reader.getText("y"))
    }

    @Test(arguments: StoreFactory.all)
    func readSkewPrevented(stores: StoreFactory) throws {
        let readAtomic = try playReadSkew(stores, mode: ReadAtomic())
        #expect(readAtomic.x == "10")
        #expect(readAtomic.y == "20")

        // lww shows a sum of 28, because x is from before the move and y from after it.
        let lww = try playReadSkew(stores, mode: LastWriterWins())
        #expect(lww.x == "10")
        #expect(lww.y == "18")
    }

    // MARK: PMP, predicate-many-preceders, in its key form

    /// Plays a reader that finds z absent, a writer that creates z and w together, and the reader looking again.
    private func playAbsentKey(_ stores: StoreFactory, mode: any ConsistencyMode) throws -> (z: String?, zAgain: String?, w: String?) {
        let nodes = try Nodes(stores, mode: mode)
        try nodes.setUp(["other": "unrelated"])
        let reader = nodes.begin(on: 0)
        let z = try reader.getText("z")

        let writer = nodes.begin(on: 1)
        try nodes.write(writer, ["z": "created", "w": "created"])
        try writer.commit()
        return (z, try reader.getText("z"), try reader.getText("w"))
    }

    @Test(arguments: StoreFactory.all)
    func pmpAbsentKeyStaysAbsent(stores: StoreFactory) throws {
        let readAtomic = try playAbsentKey(stores, mode: ReadAtomic())
        #expect(readAtomic.z == nil)
        #expect(readAtomic.zAgain == nil)
        #expect(readAtomic.w == nil)

        let lww = try playAbsentKey(stores, mode: LastWriterWins())
        #expect(lww.z == nil)
        #expect(lww.zAgain == "created")
        #expect(lww.w == "created")
    }

    // MARK: P4, lost update (not prevented)

    /// Plays two transactions that read a counter, each write the value read plus one, and both commit.
    private func playLostUpdate(_ stores: StoreFactory, mode: any ConsistencyMode) throws -> (final: String?, bothCommitted: Bool) {
        let nodes = try Nodes(stores, mode: mode)
        try nodes.setUp(["counter": "0"])
        let first = nodes.begin(on: 0)
        let second = nodes.begin(on: 1)
        let firstRead = try #require(try first.getText("counter").flatMap { Int($0) })
        let secondRead = try #require(try second.getText("counter").flatMap { Int($0) })

        try nodes.write(first, ["counter": "\(firstRead + 1)"])
        let firstOutcome = try first.commit()
        try nodes.write(second, ["counter": "\(secondRead + 1)"])
        let secondOutcome = try second.commit()
        let bothCommitted = firstOutcome.stamp != nil && secondOutcome.stamp != nil
        return (try nodes.readFresh("counter", on: 2), bothCommitted)
    }

    @Test(arguments: StoreFactory.all)
    func p4LostUpdateNotPrevented(stores: StoreFactory) throws {
        for mode: any ConsistencyMode in [ReadAtomic(), LastWriterWins()] {
            let outcome = try playLostUpdate(stores, mode: mode)
            #expect(outcome.bothCommitted, "mode \(mode.name)")
            #expect(outcome.final == "1", "mode \(mode.name): one of two increments is lost")
        }
    }

    // MARK: G2-item, write skew (not prevented)

    /// Plays two doctors on call, of whom at least one must stay, who each see the other on call and go off call.
    private func playWriteSkew(_ stores: StoreFactory, mode: any ConsistencyMode) throws -> (alice: String?, bob: String?) {
        let nodes = try Nodes(stores, mode: mode)
        try nodes.setUp(["alice": "on call", "bob": "on call"])
        let first = nodes.begin(on: 0)
        let second = nodes.begin(on: 1)
        #expect(try first.getText("alice") == "on call")
        #expect(try first.getText("bob") == "on call")
        #expect(try second.getText("alice") == "on call")
        #expect(try second.getText("bob") == "on call")

        try nodes.write(first, ["alice": "off"])
        try nodes.write(second, ["bob": "off"])
        try first.commit()
        try second.commit()
        return (try nodes.readFresh("alice", on: 2), try nodes.readFresh("bob", on: 2))
    }

    @Test(arguments: StoreFactory.all)
    func g2ItemWriteSkewNotPrevented(stores: StoreFactory) throws {
        for mode: any ConsistencyMode in [ReadAtomic(), LastWriterWins()] {
            let outcome = try playWriteSkew(stores, mode: mode)
            #expect(outcome.alice == "off", "mode \(mode.name)")
            #expect(outcome.bob == "off", "mode \(mode.name): nobody is on call")
        }
    }
}
