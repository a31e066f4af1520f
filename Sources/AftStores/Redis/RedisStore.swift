import AftEngine
import FoundationEssentials

/// A store on a Redis server or a Redis Cluster, reached through hiredis, so that aft
/// processes on many machines share one store.
///
/// Every method sends its commands pipelined and returns only after every command
/// has finished on every node, so each call is one finished step of the commit
/// protocol. The key layout is described in ``RedisLayout``.
public final class RedisStore: Store {
    public let location: String
    let layout: RedisLayout
    let client: any RedisClient

    /// Opens the store that `url` names: `redis://[user:password@]host:port[/db][?prefix=…]`
    /// or `redis+cluster://[user:password@]host:port[,host:port…][?prefix=…]`.
    ///
    /// The password comes from the URL, else from `AFT_REDIS_PASSWORD` in `environment`.
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(AftError) {
        let parsed = try RedisURL(parsing: url, environment: environment)
        location = parsed.redacted
        layout = RedisLayout(prefix: parsed.prefix)
        let handshake = RedisHandshake(credentials: parsed.credentials, database: parsed.database)
        if parsed.isCluster {
            client = try RedisClusterClient(seeds: parsed.addresses, handshake: handshake)
        } else {
            client = try RedisSingleClient(address: parsed.addresses[0], handshake: handshake)
        }
    }

    // MARK: Versions

    /// Adds the versions to the version set, then writes each with one HSET of every
    /// field, which replaces an earlier value or tombstone of the same version
    /// atomically. In that order a crash leaves at most a set member without a
    /// version, which ``storedVersions(after:limit:)`` skips, and never a version
    /// that garbage collection cannot find.
    public func writeVersions(_ versions: [Version]) throws(AftError) {
        guard !versions.isEmpty else { return }
        let writtenAt = String(StampClock.now())
        let members = versions.map { RedisCommand("ZADD", key: layout.versions, "0", RedisLayout.versionMember($0.id)) }
        let hashes = versions.map { version in
            switch version.contents {
            case .value(let bytes):
                RedisCommand("HSET", key: layout.version(version.id), "tombstone", "0", "value", bytes, "written_at", writtenAt)
            case .tombstone:
                RedisCommand("HSET", key: layout.version(version.id), "tombstone", "1", "value", "", "written_at", writtenAt)
            }
        }
        _ = try client.run(steps: [members, hashes])
    }

    public func readVersions(_ ids: [VersionID]) throws(AftError) -> [VersionID: VersionValue] {
        guard !ids.isEmpty else { return [:] }
        let replies = try client.run(ids.map { RedisCommand("HMGET", key: layout.version($0), "tombstone", "value") })

        var found: [VersionID: VersionValue] = [:]
        for (id, reply) in zip(ids, replies) {
            guard let fields = reply.elements, fields.count == 2 else { throw corruptVersion(id) }
            switch (fields[0].text, fields[1]) {
            case (nil, _):
                continue
            case ("1", _):
                found[id] = .tombstone
            case ("0", .bulk(let bytes)):
                found[id] = .value(bytes)
            default:
                throw corruptVersion(id)
            }
        }
        return found
    }

    /// Deletes the versions, then their version-set members, the reverse of the write order.
    public func deleteVersions(_ ids: [VersionID]) throws(AftError) {
        guard !ids.isEmpty else { return }
        _ = try client.run(steps: [
            ids.map { RedisCommand("DEL", key: layout.version($0)) },
            ids.map { RedisCommand("ZREM", key: layout.versions, RedisLayout.versionMember($0)) },
        ])
    }

    /// Pages through the version set and keeps the members whose version exists.
    public func storedVersions(after: VersionID?, limit: Int) throws(AftError) -> [StoredVersion] {
        var result: [StoredVersion] = []
        var lower = after.map { RedisLayout.exclusive(RedisLayout.versionMember($0)) } ?? Array("-".utf8)
        while result.count < limit {
            let page = try rangePage(of: layout.versions, after: lower, limit: max(limit, 100))
            var ids: [VersionID] = []
            for member in page.members {
                guard let id = RedisLayout.versionID(fromMember: member) else { throw corruptSet(layout.versions) }
                ids.append(id)
            }
            let times = try client.run(ids.map { RedisCommand("HGET", key: layout.version($0), "written_at") })
            for (id, time) in zip(ids, times) where result.count < limit {
                guard time != .null else { continue }
                result.append(StoredVersion(id: id, writtenAt: time.integer ?? 0))
            }
            guard let next = page.next else { break }
            lower = next
        }
        return result
    }

    /// Reads one page of a sorted set in member order, strictly after the ZRANGEBYLEX
    /// bound `lower`. The returned `next` is the bound for the following page, or nil
    /// after the last page.
    func rangePage(of set: [UInt8], after lower: [UInt8], limit: Int) throws(AftError) -> (members: [[UInt8]], next: [UInt8]?) {
        let reply = try client.run([RedisCommand("ZRANGEBYLEX", key: set, lower, "+", "LIMIT", "0", limit)])[0]
        guard let members = reply.bulkElements else { throw corruptSet(set) }
        guard members.count == limit, let last = members.last else { return (members, nil) }
        return (members, RedisLayout.exclusive(last))
    }

    private func corruptVersion(_ id: VersionID) -> AftError {
        AftError(.storeIO, "corrupt version \(id.key)@\(id.transaction.short) in \(location): the hash needs fields tombstone and value; delete the Redis key \(Escaping.quoted(layout.version(id))) or restore the store")
    }

    func corruptSet(_ name: [UInt8]) -> AftError {
        AftError(.storeIO, "the Redis key \(Escaping.quoted(name)) in \(location) is not a sorted set in aft's layout; delete it or restore the store")
    }
}
