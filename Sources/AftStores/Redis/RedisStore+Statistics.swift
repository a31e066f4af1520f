import AftEngine

extension RedisStore {
    /// Members read per page when walking the key set and the id set.
    static let statisticsPageSize = 500

    /// Counts what the store holds. The counts walk every version, key and record of
    /// this prefix, so they take time in proportion to the store's size.
    ///
    /// The size in bytes is nil, because the server's memory use covers every prefix
    /// and every other user of the server.
    public func statistics() throws(AftError) -> StoreStatistics {
        var indexedKeys = 0
        var indexEntries = 0
        try forEachPage(of: layout.keys) { members throws(AftError) in
            let keys = members.compactMap { String(validating: $0, as: UTF8.self).map(Key.init(trusted:)) }
            let counts = try client.run(keys.map { RedisCommand("ZCARD", key: layout.index($0)) }).map { Int($0.integer ?? 0) }
            // The key set keeps keys whose entries were all removed; they are not indexed keys.
            indexedKeys += counts.filter { $0 > 0 }.count
            indexEntries += counts.reduce(0, +)
        }

        var byStatus: [TransactionStatus: Int] = [:]
        try forEachPage(of: layout.ids) { members throws(AftError) in
            let ids = members.compactMap { TransactionID(hex: String(decoding: $0, as: UTF8.self)) }
            let statuses = try client.run(ids.map { RedisCommand("HGET", key: layout.record($0), "status") })
            for status in statuses.compactMap({ $0.text.flatMap(TransactionStatus.init(rawValue:)) }) {
                byStatus[status, default: 0] += 1
            }
        }

        let logEntries = try client.run([RedisCommand("ZCARD", key: layout.log)])[0].integer ?? 0
        return StoreStatistics(
            versions: try countVersions(), indexedKeys: indexedKeys, indexEntries: indexEntries,
            transactionsByStatus: byStatus, logEntries: Int(logEntries), sizeInBytes: nil)
    }

    /// Calls `body` with each page of members of a sorted set, in member order.
    private func forEachPage(of set: [UInt8], _ body: ([[UInt8]]) throws(AftError) -> Void) throws(AftError) {
        var lower = Array("-".utf8)
        while true {
            let page = try rangePage(of: set, after: lower, limit: RedisStore.statisticsPageSize)
            if !page.members.isEmpty { try body(page.members) }
            guard let next = page.next else { return }
            lower = next
        }
    }

    /// Counts version keys with SCAN on every primary. SCAN may return a key twice
    /// while the server resizes its table, so the keys are counted in a set.
    private func countVersions() throws(AftError) -> Int {
        var total = 0
        for connection in try client.primaryConnections() {
            var seen = Set<[UInt8]>()
            var cursor = Array("0".utf8)
            repeat {
                let command = RedisCommand("SCAN", key: nil, cursor, "MATCH", layout.versionPattern, "COUNT", 1000)
                let reply = try connection.run([command])[0]
                if case .error(let message) = reply {
                    throw RedisServerError.aftError(message, command: "SCAN", address: connection.address)
                }
                guard let parts = reply.elements, parts.count == 2, let next = parts[0].bytes, let keys = parts[1].bulkElements else {
                    throw AftError(.storeIO, "Redis at \(connection.address) sent a SCAN reply that aft cannot read")
                }
                seen.formUnion(keys)
                cursor = next
            } while cursor != Array("0".utf8)
            total += seen.count
        }
        return total
    }
}
