import AftEngine
import Foundation
import Testing
@testable import AftStores

/// Routing in Redis Cluster: keys on every node, and redirects while a slot moves.
@Suite struct RedisClusterTests {
    @Test func keysSpreadOverEveryNode() throws {
        let cluster = try RedisFixtures.cluster.get()
        let store = try RedisStore(url: try RedisFixtures.clusterURL(), environment: [:])
        let record = committedRecord((0..<60).map { "spread-\($0)" }, at: 7)
        try store.writeVersions(record.writeSet.map { Version(key: $0, transaction: record.id, contents: .value([1])) })
        _ = try store.insertRecord(record)
        try store.indexCommit(record)

        var owners = Set<Int>()
        for key in record.writeSet {
            owners.insert(try cluster.owner(of: RedisHashSlot.slot(of: store.layout.index(key))).port)
        }
        #expect(owners.count == 3)
        #expect(try store.statistics().versions == 60)
        #expect(try store.indexedKeys(after: nil, limit: 100).count == 60)
    }

    /// Moves the slot of one key to another node the way `redis-cli --cluster reshard`
    /// does, while the store keeps its old slot table: reads during the move get ASK,
    /// reads after it get MOVED, and the store follows both.
    @Test func redirectsAreFollowedWhileSlotMoves() throws {
        let cluster = try RedisFixtures.cluster.get()
        let store = try RedisStore(url: try RedisFixtures.clusterURL(), environment: [:])
        let client = try #require(store.client as? RedisClusterClient)
        let movingKey = key("moving-\(UUID().uuidString)")
        let slot = RedisHashSlot.slot(of: store.layout.index(movingKey))

        let before = committedRecord([movingKey.string], at: 100)
        let beforeVersion = Version(key: movingKey, transaction: before.id, contents: .value(Array("before".utf8)))
        try store.writeVersions([beforeVersion])
        _ = try store.insertRecord(before)
        try store.indexCommit(before)

        let source = try cluster.owner(of: slot)
        let target = try #require(cluster.nodes.first { $0.port != source.port })
        let sourceID = try #require(try source.command("CLUSTER", "MYID").text)
        let targetID = try #require(try target.command("CLUSTER", "MYID").text)
        #expect(try target.command("CLUSTER", "SETSLOT", "\(slot)", "IMPORTING", sourceID) == .status("OK"))
        #expect(try source.command("CLUSTER", "SETSLOT", "\(slot)", "MIGRATING", targetID) == .status("OK"))

        // The version has moved but the index has not: the version read gets ASK.
        let versionName = store.layout.version(beforeVersion.id)
        try migrate([versionName], from: source, to: target)
        #expect(try store.readVersions([beforeVersion.id])[beforeVersion.id] == beforeVersion.contents)
        #expect(client.askRedirects > 0)

        // A new version during the move: the source has no such key and sends the write on with ASK.
        let during = committedRecord([movingKey.string], at: 200)
        let duringVersion = Version(key: movingKey, transaction: during.id, contents: .value(Array("during".utf8)))
        try store.writeVersions([duringVersion])

        while let keys = try source.command("CLUSTER", "GETKEYSINSLOT", "\(slot)", "100").bulkElements, !keys.isEmpty {
            try migrate(keys, from: source, to: target)
        }
        for node in cluster.nodes {
            #expect(try node.command("CLUSTER", "SETSLOT", "\(slot)", "NODE", targetID) == .status("OK"))
        }

        // The store still routes the slot to the source, which now replies MOVED.
        let refreshesBefore = client.slotTableRefreshes
        _ = try store.insertRecord(during)
        try store.indexCommit(during)
        let found = try store.readVersions([beforeVersion.id, duringVersion.id])
        #expect(found[beforeVersion.id] == beforeVersion.contents)
        #expect(found[duringVersion.id] == duringVersion.contents)
        #expect(try store.indexedStamps(of: movingKey, olderThan: nil, limit: 10) == [during.stamp!, before.stamp!])
        #expect(client.movedRedirects > 0)
        #expect(client.slotTableRefreshes > refreshesBefore)
        #expect(client.slotOwner(of: slot) == RedisAddress(host: "127.0.0.1", port: target.port))
    }

    /// Moves keys with MIGRATE, which copies them and deletes them on the source in one step.
    private func migrate(_ keys: [[UInt8]], from source: RedisTestServer, to target: RedisTestServer) throws {
        var arguments = ["MIGRATE", "127.0.0.1", "\(target.port)", "", "0", "5000", "KEYS"].map { Array($0.utf8) }
        arguments += keys
        let reply = try source.rawCommand(arguments)
        try #require(reply == .status("OK"), "MIGRATE replied \(reply)")
    }
}
