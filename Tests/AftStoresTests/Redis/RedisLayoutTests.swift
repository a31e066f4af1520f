import AftEngine
import Testing
@testable import AftStores

/// Key names, members and hash slots of the Redis layout.
@Suite struct RedisLayoutTests {
    static let awkwardKeys = [
        "plain", "{", "}", "{}", "}{", "a{b}c", "%", "%7B", "%25", "a/b/c", "with space", "line\nbreak",
        "tab\there", "nul\u{0}inside", "\u{7f}\u{1}é\u{FFFD}", "emoji 🙂", "日本語", String(repeating: "k", count: 1024),
    ]

    @Test func crc16MatchesSpecificationExamples() {
        // The check value of CRC-16/XMODEM, and the examples of the Redis Cluster specification.
        #expect(RedisHashSlot.crc16(Array("123456789".utf8)[...]) == 0x31C3)
        #expect(RedisHashSlot.slot(of: Array("foo".utf8)) == 12182)
        #expect(RedisHashSlot.slot(of: Array("{user1000}.following".utf8)) == RedisHashSlot.slot(of: Array("{user1000}.followers".utf8)))
        #expect(RedisHashSlot.hashedPart(of: Array("foo{}{bar}".utf8)) == Array("foo{}{bar}".utf8)[...])
        #expect(RedisHashSlot.hashedPart(of: Array("foo{{bar}}zap".utf8)) == Array("{bar".utf8)[...])
        #expect(RedisHashSlot.hashedPart(of: Array("foo{bar}{zap}".utf8)) == Array("bar".utf8)[...])
    }

    @Test func slotsMatchServerKeyslot() throws {
        let cluster = try RedisFixtures.cluster.get()
        let layout = RedisLayout(prefix: "aft:")
        let id = TransactionID()
        for text in Self.awkwardKeys {
            let key = Key(trusted: text)
            for name in [layout.version(VersionID(key: key, transaction: id)), layout.index(key), layout.indexTimes(key)] {
                let reply = try cluster.nodes[0].rawCommand([Array("CLUSTER".utf8), Array("KEYSLOT".utf8), name])
                #expect(reply.integer.map(Int.init) == RedisHashSlot.slot(of: name), "key \(Escaping.quoted(text))")
            }
        }
    }

    @Test func keyVersionsAndIndexShareSlot() {
        let layout = RedisLayout(prefix: "aft:")
        for text in Self.awkwardKeys {
            let key = Key(trusted: text)
            let indexSlot = RedisHashSlot.slot(of: layout.index(key))
            #expect(RedisHashSlot.slot(of: layout.indexTimes(key)) == indexSlot, "key \(Escaping.quoted(text))")
            #expect(RedisHashSlot.slot(of: layout.version(VersionID(key: key, transaction: TransactionID()))) == indexSlot, "key \(Escaping.quoted(text))")
        }
    }

    @Test func hashTagsOfDistinctKeysDiffer() {
        let tags = Self.awkwardKeys.map { RedisLayout.hashTag(Key(trusted: $0)) }
        #expect(Set(tags).count == tags.count)
        for tag in tags {
            // Only the opening and closing braces remain unencoded.
            #expect(tag.filter { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "}") }.count == 2)
        }
    }

    @Test func stampMembersSortLikeStamps() throws {
        let stamps = [0, 1, 9, 10, 999, 1_700_000_000_000_000_000, Int64.max].flatMap { timestamp in
            [TransactionID.zero, TransactionID(), TransactionID.maximum].map { CommitStamp(timestamp: timestamp, transaction: $0) }
        }
        let members = try stamps.map { stamp throws(AftError) in try RedisLayout.member(stamp) }
        for (member, stamp) in zip(members, stamps) {
            #expect(RedisLayout.stamp(fromMember: member) == stamp)
        }
        let sortedByMember = zip(members, stamps).sorted { $0.0.lexicographicallyPrecedes($1.0) }.map(\.1)
        #expect(sortedByMember == stamps.sorted())
    }

    @Test func negativeStampIsRejected() {
        #expect(throws: AftError.self) {
            try RedisLayout.member(CommitStamp(timestamp: -1, transaction: TransactionID()))
        }
    }

    @Test func versionMembersSortLikeVersionIDs() {
        let keys = ["a", "a\u{0}", "a\u{0}b", "a\u{0}\u{0}", "a\u{1}", "ab", "b", "\u{0}", "é"] + Self.awkwardKeys
        let ids = keys.flatMap { key in
            [TransactionID.zero, TransactionID(), TransactionID.maximum].map { VersionID(key: Key(trusted: key), transaction: $0) }
        }
        for id in ids {
            #expect(RedisLayout.versionID(fromMember: RedisLayout.versionMember(id)) == id, "key \(Escaping.quoted(id.key.string))")
        }
        let expected = ids.sorted { $0.key != $1.key ? $0.key < $1.key : $0.transaction < $1.transaction }
        let actual = ids.sorted { RedisLayout.versionMember($0).lexicographicallyPrecedes(RedisLayout.versionMember($1)) }
        #expect(actual == expected)
    }

    @Test func globEscapingMatchesPrefixLiterally() throws {
        let server = try RedisFixtures.single.get()
        let prefix = "glob*?[x]\\-\(RedisFixtures.uniquePrefix())"
        let layout = RedisLayout(prefix: prefix)
        let version = layout.version(VersionID(key: Key(trusted: "k"), transaction: TransactionID()))
        // Matches the prefix read as a glob pattern, but is not the prefix.
        let lookalike = Array(("globZZx-" + prefix.dropFirst(11) + "v:x").utf8)
        _ = try server.rawCommand([Array("SET".utf8), version, Array("1".utf8)])
        _ = try server.rawCommand([Array("SET".utf8), lookalike, Array("1".utf8)])
        let reply = try server.rawCommand([Array("KEYS".utf8), layout.versionPattern])
        #expect(reply.bulkElements == [version])
    }
}
