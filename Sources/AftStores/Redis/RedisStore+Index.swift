import AftEngine

extension RedisStore {
    /// Adds one index entry and its time unless the entry exists, so indexing again
    /// keeps the first time. KEYS are the index and its time hash, which share a slot.
    static let indexScript = """
        if redis.call('ZADD', KEYS[1], 'NX', 0, ARGV[1]) == 1 then
          redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
        end
        return 0
        """

    /// Removes one index entry and its time together.
    static let removeIndexScript = """
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('HDEL', KEYS[2], ARGV[1])
        return 0
        """

    /// Adds the index entries and key-set entries first and the commit-log entry
    /// after them, so a logged commit is always fully indexed, and recovery, which
    /// looks for commits missing from the log, repairs a crash between the two.
    public func indexCommit(_ record: TransactionRecord) throws(AftError) {
        guard let stamp = record.stamp else { return }
        let member = try RedisLayout.member(stamp)
        let now = Array(String(StampClock.now()).utf8)

        var entries: [RedisCommand] = []
        for key in record.writeSet {
            entries.append(script(RedisStore.indexScript, keys: [layout.index(key), layout.indexTimes(key)], arguments: [member, now]))
            entries.append(RedisCommand("ZADD", key: layout.keys, "0", Array(key.string.utf8)))
        }
        _ = try client.run(steps: [entries, [RedisCommand("ZADD", key: layout.log, "0", member)]])
    }

    public func indexedStamps(of key: Key, olderThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp] {
        try stamps(in: layout.index(key), olderThan: olderThan, limit: limit)
    }

    /// Reads the stamps, then their index times; an entry without a time counts as
    /// indexed now, which keeps garbage collection from deleting what it superseded.
    public func indexEntries(of key: Key, olderThan: CommitStamp?, limit: Int) throws(AftError) -> [IndexEntry] {
        let stamps = try stamps(in: layout.index(key), olderThan: olderThan, limit: limit)
        guard !stamps.isEmpty else { return [] }
        var arguments = [Array("HMGET".utf8), layout.indexTimes(key)]
        for stamp in stamps {
            arguments.append(try RedisLayout.member(stamp))
        }
        let reply = try client.run([RedisCommand(arguments: arguments, routingKey: layout.indexTimes(key))])[0]
        guard let times = reply.elements, times.count == stamps.count else { throw corruptSet(layout.indexTimes(key)) }
        let now = StampClock.now()
        return zip(stamps, times).map { IndexEntry(stamp: $0, indexedAt: $1.integer ?? now) }
    }

    /// Removes the entries and their times. The key stays in the key set, and
    /// ``indexedKeys(after:limit:)`` skips a key whose index is empty: removing it
    /// here could race with a commit that indexes the key again.
    public func removeIndexEntries(_ entries: [(key: Key, stamp: CommitStamp)]) throws(AftError) {
        guard !entries.isEmpty else { return }
        var commands: [RedisCommand] = []
        for entry in entries {
            guard entry.stamp.timestamp >= 0 else { continue }
            let member = try RedisLayout.member(entry.stamp)
            commands.append(script(RedisStore.removeIndexScript, keys: [layout.index(entry.key), layout.indexTimes(entry.key)], arguments: [member]))
        }
        _ = try client.run(commands)
    }

    public func logStamps(olderThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp] {
        try stamps(in: layout.log, olderThan: olderThan, limit: limit)
    }

    public func logStamps(newerThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp] {
        guard limit > 0 else { return [] }
        // Stored stamps are never negative, so a negative bound excludes nothing.
        let lower = try newerThan.flatMap { stamp throws(AftError) in
            stamp.timestamp < 0 ? nil : RedisLayout.exclusive(try RedisLayout.member(stamp))
        } ?? Array("-".utf8)
        let reply = try client.run([RedisCommand("ZRANGEBYLEX", key: layout.log, lower, "+", "LIMIT", "0", limit)])[0]
        return try decodeStamps(reply, from: layout.log)
    }

    /// Pages through the key set and skips keys whose index is empty.
    public func indexedKeys(after: Key?, limit: Int) throws(AftError) -> [Key] {
        var result: [Key] = []
        var lower = after.map { RedisLayout.exclusive(Array($0.string.utf8)) } ?? Array("-".utf8)
        while result.count < limit {
            let page = try rangePage(of: layout.keys, after: lower, limit: max(limit, 100))
            var keys: [Key] = []
            for member in page.members {
                guard let text = String(validating: member, as: UTF8.self) else { throw corruptSet(layout.keys) }
                keys.append(Key(trusted: text))
            }
            let exists = try client.run(keys.map { RedisCommand("EXISTS", key: layout.index($0)) })
            for (key, reply) in zip(keys, exists) where reply == .integer(1) && result.count < limit {
                result.append(key)
            }
            guard let next = page.next else { break }
            lower = next
        }
        return result
    }

    // MARK: Helpers

    /// Reads up to `limit` stamps of a sorted set, newest first, strictly older than `olderThan`.
    private func stamps(in set: [UInt8], olderThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp] {
        guard limit > 0 else { return [] }
        var upper = Array("+".utf8)
        if let olderThan {
            // Stored stamps are never negative, so nothing is older than a negative bound.
            guard olderThan.timestamp >= 0 else { return [] }
            upper = RedisLayout.exclusive(try RedisLayout.member(olderThan))
        }
        let reply = try client.run([RedisCommand("ZREVRANGEBYLEX", key: set, upper, "-", "LIMIT", "0", limit)])[0]
        return try decodeStamps(reply, from: set)
    }

    private func decodeStamps(_ reply: RedisReply, from set: [UInt8]) throws(AftError) -> [CommitStamp] {
        guard let members = reply.bulkElements else { throw corruptSet(set) }
        var stamps: [CommitStamp] = []
        for member in members {
            guard let stamp = RedisLayout.stamp(fromMember: member) else { throw corruptSet(set) }
            stamps.append(stamp)
        }
        return stamps
    }

    /// An EVAL of `source` on `keys`, routed by the first key; all keys must share its slot.
    func script(_ source: String, keys: [[UInt8]], arguments: [[UInt8]]) -> RedisCommand {
        RedisCommand(
            arguments: [Array("EVAL".utf8), Array(source.utf8), Array(String(keys.count).utf8)] + keys + arguments,
            routingKey: keys.first)
    }
}
