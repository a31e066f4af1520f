import AftEngine
import Foundation
import Testing
@testable import AftStores

/// Behaviour only the Redis backends have: credentials, addresses, reconnection and
/// the key layout, against servers the tests start on 127.0.0.1.
@Suite struct RedisStoreTests {
    // MARK: Credentials

    @Test func locationHidesPassword() throws {
        let server = try RedisFixtures.guarded.get()
        let password = RedisFixtures.password
        let store = try RedisStore(url: "redis://:\(password)@\(server.address)/0?prefix=\(RedisFixtures.uniquePrefix())", environment: [:])
        #expect(store.location.hasPrefix("redis://:***@\(server.address)/0?prefix="))
        #expect(!store.location.contains(password))
        try expectRoundTrip(store)
    }

    @Test func aclUserAndPasswordAuthenticate() throws {
        let server = try RedisFixtures.guarded.get()
        let user = "aft-\(UUID().uuidString.prefix(8))"
        let password = "acl-\(UUID().uuidString)"
        try createUser(user, password: password, on: server)
        let store = try RedisStore(url: "redis://\(user):\(password)@\(server.address)?prefix=\(RedisFixtures.uniquePrefix())", environment: [:])
        #expect(store.location.hasPrefix("redis://\(user):***@"))
        #expect(!store.location.contains(password))
        try expectRoundTrip(store)
    }

    @Test func wrongPasswordIsAuthenticationError() throws {
        let server = try RedisFixtures.guarded.get()
        let wrong = "wrong-\(UUID().uuidString)"
        let error = try #require(throws: AftError.self) {
            _ = try RedisStore(url: "redis://:\(wrong)@\(server.address)", environment: [:])
        }
        #expect(error.kind == .authentication)
        #expect(error.kind.exitCode == 77)
        #expect(error.message.contains(server.address))
        #expect(!error.message.contains(wrong))
        #expect(!error.message.contains(RedisFixtures.password))
    }

    @Test func wrongACLPasswordIsAuthenticationError() throws {
        let server = try RedisFixtures.guarded.get()
        let user = "aft-\(UUID().uuidString.prefix(8))"
        try createUser(user, password: "right-\(UUID().uuidString)", on: server)
        let wrong = "wrong-\(UUID().uuidString)"
        let error = try #require(throws: AftError.self) {
            _ = try RedisStore(url: "redis://\(user):\(wrong)@\(server.address)", environment: [:])
        }
        #expect(error.kind == .authentication)
        #expect(error.message.contains("WRONGPASS"))
        #expect(!error.message.contains(wrong))
    }

    @Test func missingPasswordIsAuthenticationError() throws {
        let server = try RedisFixtures.guarded.get()
        let error = try #require(throws: AftError.self) {
            let store = try RedisStore(url: "redis://\(server.address)", environment: [:])
            _ = try store.readRecords([TransactionID()])
        }
        #expect(error.kind == .authentication)
        #expect(error.message.contains("NOAUTH"))
        #expect(error.message.contains("AFT_REDIS_PASSWORD"))
        #expect(!error.message.contains(RedisFixtures.password))
    }

    @Test func environmentPasswordAuthenticates() throws {
        let server = try RedisFixtures.guarded.get()
        let store = try RedisStore(
            url: "redis://\(server.address)?prefix=\(RedisFixtures.uniquePrefix())",
            environment: ["AFT_REDIS_PASSWORD": RedisFixtures.password])
        #expect(!store.location.contains(RedisFixtures.password))
        try expectRoundTrip(store)
    }

    @Test func percentEncodedPasswordAuthenticates() throws {
        let server = try RedisFixtures.guarded.get()
        let user = "aft-\(UUID().uuidString.prefix(8))"
        try createUser(user, password: "p@ss/w:rd%?", on: server)
        let store = try RedisStore(url: "redis://\(user):p%40ss%2Fw%3Ard%25%3F@\(server.address)?prefix=\(RedisFixtures.uniquePrefix())", environment: [:])
        try expectRoundTrip(store)
    }

    // MARK: Addresses

    @Test func unreachablePortNamesAddress() throws {
        let port = try RedisTestServer.freePort()
        let error = try #require(throws: AftError.self) {
            _ = try RedisStore(url: "redis://127.0.0.1:\(port)", environment: [:])
        }
        #expect(error.kind == .unreachable)
        #expect(error.kind.exitCode == 69)
        #expect(error.message.contains("127.0.0.1:\(port)"))
    }

    @Test func unreachableClusterNamesSeeds() throws {
        let first = try RedisTestServer.freePort()
        let second = try RedisTestServer.freePort()
        let error = try #require(throws: AftError.self) {
            _ = try RedisStore(url: "redis+cluster://127.0.0.1:\(first),127.0.0.1:\(second)", environment: [:])
        }
        #expect(error.kind == .unreachable)
        #expect(error.message.contains("127.0.0.1:\(first),127.0.0.1:\(second)"))
    }

    @Test func clusterURLOnSingleServerIsRejected() throws {
        let server = try RedisFixtures.single.get()
        let error = try #require(throws: AftError.self) {
            _ = try RedisStore(url: "redis+cluster://\(server.address)", environment: [:])
        }
        #expect(error.kind == .usage)
        #expect(error.message.contains("not a cluster node"))
    }

    @Test func singleURLOnClusterNodeNamesClusterScheme() throws {
        let cluster = try RedisFixtures.cluster.get()
        let store = try RedisStore(url: "redis://\(cluster.nodes[0].address)?prefix=\(RedisFixtures.uniquePrefix())", environment: [:])
        // Keys spread over all three nodes, so some of them belong to another node.
        let keys = (0..<20).map { Key(trusted: "spread-\($0)") }
        let error = try #require(throws: AftError.self) {
            try store.writeVersions(keys.map { Version(key: $0, transaction: TransactionID(), contents: .value([1])) })
        }
        #expect(error.message.contains("redis+cluster://"))
    }

    @Test func databasesAreSeparate() throws {
        let server = try RedisFixtures.single.get()
        let prefix = RedisFixtures.uniquePrefix()
        let first = try RedisStore(url: "redis://\(server.address)/1?prefix=\(prefix)", environment: [:])
        let second = try RedisStore(url: "redis://\(server.address)/2?prefix=\(prefix)", environment: [:])
        let version = Version(key: key("k"), transaction: TransactionID(), contents: .value([7]))
        try first.writeVersions([version])
        #expect(try first.readVersions([version.id])[version.id] == .value([7]))
        #expect(try second.readVersions([version.id]).isEmpty)
    }

    @Test func missingDatabaseIsUsageError() throws {
        let server = try RedisFixtures.single.get()
        let error = try #require(throws: AftError.self) {
            _ = try RedisStore(url: "redis://\(server.address)/4000", environment: [:])
        }
        #expect(error.kind == .usage)
        #expect(error.message.contains("database 4000"))
    }

    @Test func storeLocationOpensRedisStores() throws {
        let single = try StoreLocation(parsing: try RedisFixtures.singleURL()).open()
        #expect(single is RedisStore)
        let cluster = try StoreLocation(parsing: try RedisFixtures.clusterURL()).open()
        #expect(cluster is RedisStore)
        #expect(cluster.location.hasPrefix("redis+cluster://"))
    }

    // MARK: Keys and values

    @Test(arguments: [StoreKind.redis, .redisCluster])
    func awkwardKeysRoundTrip(kind: StoreKind) throws {
        let store = try kind.makeStore()
        let keys = RedisLayoutTests.awkwardKeys.map(key)
        let record = committedRecord(RedisLayoutTests.awkwardKeys, at: 1_000)
        let versions = keys.map { Version(key: $0, transaction: record.id, contents: .value(Array($0.string.utf8))) }
        try store.writeVersions(versions)
        #expect(try store.insertRecord(record) == nil)
        try store.indexCommit(record)

        let found = try store.readVersions(versions.map(\.id))
        for version in versions {
            #expect(found[version.id] == version.contents, "key \(Escaping.quoted(version.id.key.string))")
            #expect(try store.indexedStamps(of: version.id.key, olderThan: nil, limit: 5) == [record.stamp!], "key \(Escaping.quoted(version.id.key.string))")
        }
        #expect(try store.indexedKeys(after: nil, limit: 100) == keys.sorted())
        #expect(try store.storedVersions(after: nil, limit: 100).map(\.id) == versions.map(\.id).sorted { $0.key < $1.key })
        #expect(try store.readRecords([record.id])[record.id]?.writeSet == keys)
    }

    @Test(arguments: [StoreKind.redis, .redisCluster])
    func largeValueAndLongPipelineRoundTrip(kind: StoreKind) throws {
        let store = try kind.makeStore()
        let id = TransactionID()
        let large = (0..<(16 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let many = (0..<2_000).map { Version(key: key("many-\($0)"), transaction: id, contents: .value(Array("value \($0)".utf8))) }
        let bigVersion = Version(key: key("large"), transaction: id, contents: .value(large))
        try store.writeVersions([bigVersion] + many)

        let found = try store.readVersions([bigVersion.id] + many.map(\.id))
        #expect(found.count == many.count + 1)
        #expect(found[bigVersion.id] == .value(large))
        #expect(many.allSatisfy { found[$0.id] == $0.contents })
    }

    /// The documented layout, read back with plain Redis commands.
    @Test func layoutMatchesDocumentation() throws {
        let server = try RedisFixtures.single.get()
        let prefix = RedisFixtures.uniquePrefix()
        let store = try RedisStore(url: "redis://\(server.address)?prefix=\(prefix)", environment: [:])
        let record = committedRecord(["a{b}"], at: 42)
        try store.writeVersions([Version(key: key("a{b}"), transaction: record.id, contents: .value(Array("hello".utf8)))])
        _ = try store.insertRecord(record)
        try store.indexCommit(record)

        let member = "00000000000000000042.\(record.id.hex)"
        let version = try server.command("HGETALL", "\(prefix)v:{a%7Bb%7D}:\(record.id.hex)").hashFields
        #expect(version?["tombstone"] == Array("0".utf8))
        #expect(version?["value"] == Array("hello".utf8))
        #expect(version?["written_at"].flatMap { Int64(String(decoding: $0, as: UTF8.self)) } != nil)
        #expect(try server.command("ZRANGE", "\(prefix)i:{a%7Bb%7D}", "0", "-1", "WITHSCORES").bulkElements == [Array(member.utf8), Array("0".utf8)])
        #expect(try server.command("HKEYS", "\(prefix)i:{a%7Bb%7D}:at").bulkElements == [Array(member.utf8)])
        #expect(try server.command("ZRANGE", "\(prefix)log", "0", "-1").bulkElements == [Array(member.utf8)])
        #expect(try server.command("ZRANGE", "\(prefix)keys", "0", "-1").bulkElements == [Array("a{b}".utf8)])
        #expect(try server.command("ZRANGE", "\(prefix)ids", "0", "-1").bulkElements == [Array(record.id.hex.utf8)])
        #expect(try server.command("ZRANGE", "\(prefix)versions", "0", "-1").bulkElements == [Array("a{b}\u{0}\u{0}\(record.id.hex)".utf8)])

        let fields = try #require(try server.command("HGETALL", "\(prefix)t:\(record.id.hex)").hashFields)
        #expect(Set(fields.keys) == ["status", "mode", "stamp", "write_set", "read_set", "start_time", "node", "lease_expiry", "revision"])
        #expect(fields["status"] == Array("committed".utf8))
        #expect(fields["stamp"] == Array("42".utf8))
        #expect(fields["write_set"] == Array(#"["a{b}"]"#.utf8))
    }

    // MARK: Reconnection

    @Test func restartedServerIsReconnected() throws {
        // Append-only file with fsync on every write, so the data outlives SIGKILL.
        let server = try RedisTestServer.start(["--appendonly", "yes", "--appendfsync", "always"])
        defer { server.stop() }
        let store = try RedisStore(url: "redis://\(server.address)?prefix=\(RedisFixtures.uniquePrefix())", environment: [:])
        let first = Version(key: key("k"), transaction: TransactionID(), contents: .value([1]))
        try store.writeVersions([first])

        // Killed and started again between two calls: the next call reconnects by itself.
        try server.kill()
        try server.launch()
        #expect(try store.readVersions([first.id])[first.id] == .value([1]))

        // A large write to a connection the server reset fails with EPIPE, which must
        // not raise SIGPIPE, and is then sent again on a new connection.
        try server.kill()
        try server.launch()
        let large = Version(key: key("large"), transaction: TransactionID(), contents: .value(Array(repeating: 9, count: 8 << 20)))
        try store.writeVersions([large])
        #expect(try store.readVersions([large.id])[large.id] == large.contents)
    }

    @Test func downServerFailsThenRecovers() throws {
        let server = try RedisTestServer.start()
        defer { server.stop() }
        let store = try RedisStore(url: "redis://\(server.address)?prefix=\(RedisFixtures.uniquePrefix())", environment: [:])
        let version = Version(key: key("k"), transaction: TransactionID(), contents: .value([1]))
        try store.writeVersions([version])

        try server.kill()
        let error = try #require(throws: AftError.self) {
            _ = try store.readVersions([version.id])
        }
        #expect(error.kind == .unreachable)
        #expect(error.message.contains(server.address))

        try server.launch()
        try store.writeVersions([version])
        #expect(try store.readVersions([version.id])[version.id] == .value([1]))
    }

    @Test func killedClusterConnectionsAreReconnected() throws {
        let cluster = try RedisFixtures.cluster.get()
        // A user of its own lets CLIENT KILL end this store's connections and no others.
        let user = "aft-\(UUID().uuidString.prefix(8))"
        let password = UUID().uuidString
        for node in cluster.nodes {
            try createUser(user, password: password, on: node, adminPassword: nil)
        }
        let store = try RedisStore(url: "redis+cluster://\(user):\(password)@\(cluster.seedList)?prefix=\(RedisFixtures.uniquePrefix())", environment: [:])
        let versions = (0..<30).map { Version(key: key("spread-\($0)"), transaction: TransactionID(), contents: .value([UInt8($0)])) }
        try store.writeVersions(versions)

        for node in cluster.nodes {
            _ = try node.command("CLIENT", "KILL", "USER", user)
        }
        let found = try store.readVersions(versions.map(\.id))
        #expect(found.count == versions.count)
        #expect(versions.allSatisfy { found[$0.id] == $0.contents })
    }

    // MARK: Helpers

    private func createUser(_ user: String, password: String, on server: RedisTestServer, adminPassword: String? = RedisFixtures.password) throws {
        let reply = try server.command("ACL", "SETUSER", user, "on", ">\(password)", "~*", "&*", "+@all", password: adminPassword)
        try #require(reply == .status("OK"))
    }

    private func expectRoundTrip(_ store: RedisStore) throws {
        let version = Version(key: key("k"), transaction: TransactionID(), contents: .value([1, 2, 3]))
        try store.writeVersions([version])
        #expect(try store.readVersions([version.id])[version.id] == .value([1, 2, 3]))
    }
}
