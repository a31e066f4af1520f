import AftEngine

extension RedisStore {
    /// Creates the record hash unless the key exists. Returns nil when it created it,
    /// else the stored fields. A Lua script runs atomically on its one key, in a
    /// cluster too, so two processes cannot both create the record.
    static let insertScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then
          return redis.call('HGETALL', KEYS[1])
        end
        redis.call('HSET', KEYS[1], unpack(ARGV))
        return false
        """

    /// Replaces the record hash when its `revision` field equals ARGV[1]. Returns 1
    /// when it replaced it, nil when the key is missing, else the stored fields.
    static let replaceScript = """
        local stored = redis.call('HGET', KEYS[1], 'revision')
        if not stored then
          return false
        end
        if stored ~= ARGV[1] then
          return redis.call('HGETALL', KEYS[1])
        end
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], unpack(ARGV, 2))
        return 1
        """

    /// Adds the id to the id set first, then creates the record, so a crash between
    /// the two leaves an id without a record, which ``transactionIDs(withPrefix:limit:)``
    /// skips, and never a record that prefix lookup cannot find.
    public func insertRecord(_ record: TransactionRecord) throws(AftError) -> TransactionRecord? {
        let insert = script(RedisStore.insertScript, keys: [layout.record(record.id)], arguments: recordFields(record))
        let replies = try client.run(steps: [
            [RedisCommand("ZADD", key: layout.ids, "0", record.id.hex)],
            [insert],
        ])
        guard let reply = replies.last?.first, reply != .null else { return nil }

        let existing = try decodeRecord(reply, id: record.id)
        // An equal stored record is this call's own insert, seen again when the reply
        // was lost and the call resent the script after reconnecting.
        return existing == record ? nil : existing
    }

    public func replaceRecord(_ record: TransactionRecord, expectedRevision: Int) throws(AftError) -> RecordReplacement {
        let replace = script(RedisStore.replaceScript, keys: [layout.record(record.id)], arguments: [Array(String(expectedRevision).utf8)] + recordFields(record))
        let reply = try client.run([replace])[0]
        switch reply {
        case .null:
            return .missing
        case .integer(1):
            return .replaced
        default:
            let stored = try decodeRecord(reply, id: record.id)
            // As in insertRecord: an equal stored record means this call's own resent replacement.
            return stored == record ? .replaced : .conflict(stored)
        }
    }

    public func readRecords(_ ids: [TransactionID]) throws(AftError) -> [TransactionID: TransactionRecord] {
        guard !ids.isEmpty else { return [:] }
        let replies = try client.run(ids.map { RedisCommand("HGETALL", key: layout.record($0)) })
        var found: [TransactionID: TransactionRecord] = [:]
        for (id, reply) in zip(ids, replies) where reply != .array([]) {
            found[id] = try decodeRecord(reply, id: id)
        }
        return found
    }

    /// Pages through the id set and keeps the ids whose record exists.
    public func transactionIDs(withPrefix prefix: String, limit: Int) throws(AftError) -> [TransactionID] {
        guard limit > 0 else { return [] }
        // Ids are lowercase hexadecimal, so every id with the prefix sorts in [prefix, prefix + "g").
        var lower = RedisLayout.inclusive(Array(prefix.utf8))
        let upper = RedisLayout.exclusive(Array((prefix + "g").utf8))
        let pageSize = max(limit, 100)

        var result: [TransactionID] = []
        while result.count < limit {
            let page = try client.run([RedisCommand("ZRANGEBYLEX", key: layout.ids, lower, upper, "LIMIT", "0", pageSize)])[0]
            guard let members = page.bulkElements else { throw corruptSet(layout.ids) }
            let ids = members.compactMap { TransactionID(hex: String(decoding: $0, as: UTF8.self)) }
            let exists = try client.run(ids.map { RedisCommand("EXISTS", key: layout.record($0)) })
            for (id, reply) in zip(ids, exists) where reply == .integer(1) && result.count < limit {
                result.append(id)
            }
            guard members.count == pageSize, let last = members.last else { break }
            lower = RedisLayout.exclusive(last)
        }
        return result
    }

    /// Pages through the id set and reads the records that exist, in id order.
    public func records(after: TransactionID?, limit: Int) throws(AftError) -> [TransactionRecord] {
        var result: [TransactionRecord] = []
        var lower = after.map { RedisLayout.exclusive(Array($0.hex.utf8)) } ?? Array("-".utf8)
        while result.count < limit {
            let page = try rangePage(of: layout.ids, after: lower, limit: max(limit, 100))
            let ids = page.members.compactMap { TransactionID(hex: String(decoding: $0, as: UTF8.self)) }
            let replies = try client.run(ids.map { RedisCommand("HGETALL", key: layout.record($0)) })
            for (id, reply) in zip(ids, replies) where reply != .array([]) && result.count < limit {
                result.append(try decodeRecord(reply, id: id))
            }
            guard let next = page.next else { break }
            lower = next
        }
        return result
    }

    // MARK: Record fields

    /// Encodes the record as HSET field-value arguments, without `stamp` and
    /// `abort_reason` when they are nil. The stamp's id is the record's own, so only
    /// the timestamp is stored.
    func recordFields(_ record: TransactionRecord) -> [[UInt8]] {
        var fields: [(String, String)] = [
            ("status", record.status.rawValue),
            ("mode", record.mode),
            ("write_set", RecordCoding.encodeWriteSet(record.writeSet)),
            ("read_set", RecordCoding.encodeReadSet(record.readSet)),
            ("start_time", String(record.startTime)),
            ("node", record.node),
            ("lease_expiry", String(record.leaseExpiry)),
            ("revision", String(record.revision)),
        ]
        if let stamp = record.stamp { fields.append(("stamp", String(stamp.timestamp))) }
        if let reason = record.abortReason { fields.append(("abort_reason", reason)) }
        return fields.flatMap { [Array($0.0.utf8), Array($0.1.utf8)] }
    }

    func decodeRecord(_ reply: RedisReply, id: TransactionID) throws(AftError) -> TransactionRecord {
        let corrupt = AftError(.storeIO, "corrupt transaction record \(id.hex) in \(location); delete the Redis key \(Escaping.quoted(layout.record(id))) or restore the store from a backup")
        guard let raw = reply.hashFields else { throw corrupt }
        let fields = raw.mapValues { String(decoding: $0, as: UTF8.self) }
        guard let status = fields["status"].flatMap(TransactionStatus.init(rawValue:)),
              let mode = fields["mode"], let writeSet = fields["write_set"], let readSet = fields["read_set"],
              let startTime = fields["start_time"].flatMap({ Int64($0) }), let node = fields["node"],
              let leaseExpiry = fields["lease_expiry"].flatMap({ Int64($0) }),
              let revision = fields["revision"].flatMap({ Int($0) })
        else { throw corrupt }

        var stamp: CommitStamp?
        if let text = fields["stamp"] {
            guard let timestamp = Int64(text) else { throw corrupt }
            stamp = CommitStamp(timestamp: timestamp, transaction: id)
        }
        return TransactionRecord(
            id: id, status: status, mode: mode, stamp: stamp,
            writeSet: try RecordCoding.decodeWriteSet(writeSet), readSet: try RecordCoding.decodeReadSet(readSet),
            startTime: startTime, node: node, leaseExpiry: leaseExpiry, revision: revision,
            abortReason: fields["abort_reason"])
    }
}
