import AftEngine

extension SQLiteStore {
    public func indexCommit(_ record: TransactionRecord) throws(AftError) {
        guard let stamp = record.stamp else { return }
        let now = StampClock.now()
        try connection.writeTransaction { () throws(AftError) in
            for key in record.writeSet {
                try connection.query(
                    "INSERT OR IGNORE INTO version_index (key, stamp, txid, indexed_at) VALUES (?, ?, ?, ?)",
                    [.text(key.string), .integer(stamp.timestamp), .text(stamp.transaction.hex), .integer(now)])
            }
            try connection.query(
                "INSERT OR IGNORE INTO commit_log (stamp, txid) VALUES (?, ?)",
                [.integer(stamp.timestamp), .text(stamp.transaction.hex)])
        }
    }

    /// One range scan of the primary key (key, stamp, txid), newest first.
    public func indexedStamps(of key: Key, olderThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp] {
        let rows: [[SQLiteValue]]
        if let olderThan {
            rows = try connection.query(
                "SELECT stamp, txid FROM version_index WHERE key = ? AND (stamp, txid) < (?, ?) ORDER BY stamp DESC, txid DESC LIMIT ?",
                [.text(key.string), .integer(olderThan.timestamp), .text(olderThan.transaction.hex), .integer(Int64(limit))])
        } else {
            rows = try connection.query(
                "SELECT stamp, txid FROM version_index WHERE key = ? ORDER BY stamp DESC, txid DESC LIMIT ?",
                [.text(key.string), .integer(Int64(limit))])
        }
        return try decodeStamps(rows)
    }

    public func logStamps(olderThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp] {
        let bound = olderThan ?? CommitStamp(timestamp: .max, transaction: TransactionID(hex: String(repeating: "f", count: 32))!)
        let rows = try connection.query(
            "SELECT stamp, txid FROM commit_log WHERE (stamp, txid) < (?, ?) ORDER BY stamp DESC, txid DESC LIMIT ?",
            [.integer(bound.timestamp), .text(bound.transaction.hex), .integer(Int64(limit))])
        return try decodeStamps(rows)
    }

    public func logStamps(newerThan: CommitStamp?, limit: Int) throws(AftError) -> [CommitStamp] {
        let bound = newerThan ?? CommitStamp(timestamp: .min, transaction: TransactionID(hex: String(repeating: "0", count: 32))!)
        let rows = try connection.query(
            "SELECT stamp, txid FROM commit_log WHERE (stamp, txid) > (?, ?) ORDER BY stamp, txid LIMIT ?",
            [.integer(bound.timestamp), .text(bound.transaction.hex), .integer(Int64(limit))])
        return try decodeStamps(rows)
    }

    public func indexedKeys(after: Key?, limit: Int) throws(AftError) -> [Key] {
        // DISTINCT over the primary key's leading column skips from key to key.
        let rows = try connection.query(
            "SELECT DISTINCT key FROM version_index WHERE key > ? ORDER BY key LIMIT ?",
            [.text(after?.string ?? ""), .integer(Int64(limit))])
        return rows.compactMap { $0[0].text.map { Key(trusted: $0) } }
    }

    public func statistics() throws(AftError) -> StoreStatistics {
        func count(_ sql: String) throws(AftError) -> Int {
            Int(try connection.query(sql).first?.first?.integer ?? 0)
        }
        var byStatus: [TransactionStatus: Int] = [:]
        for row in try connection.query("SELECT status, count(*) FROM transactions GROUP BY status") {
            if let status = row[0].text.flatMap(TransactionStatus.init(rawValue:)) {
                byStatus[status] = Int(row[1].integer ?? 0)
            }
        }
        let pages = try count("PRAGMA page_count")
        let pageSize = try count("PRAGMA page_size")
        return StoreStatistics(
            versions: try count("SELECT count(*) FROM versions"),
            indexedKeys: try count("SELECT count(DISTINCT key) FROM version_index"),
            indexEntries: try count("SELECT count(*) FROM version_index"),
            transactionsByStatus: byStatus,
            logEntries: try count("SELECT count(*) FROM commit_log"),
            sizeInBytes: pages * pageSize + Paths.size(of: path + "-wal"))
    }

    func decodeStamps(_ rows: [[SQLiteValue]]) throws(AftError) -> [CommitStamp] {
        try rows.map { row throws(AftError) in
            guard let timestamp = row[0].integer, let id = row[1].text.flatMap({ TransactionID(hex: $0) }) else {
                throw AftError(.storeIO, "corrupt index entry in \(Escaping.quoted(path)); restore the store from a backup")
            }
            return CommitStamp(timestamp: timestamp, transaction: id)
        }
    }
}

extension SQLiteStore {
    public func indexEntries(of key: Key, olderThan: CommitStamp?, limit: Int) throws(AftError) -> [IndexEntry] {
        let bound = olderThan ?? CommitStamp(timestamp: .max, transaction: .maximum)
        let rows = try connection.query(
            "SELECT stamp, txid, indexed_at FROM version_index WHERE key = ? AND (stamp, txid) < (?, ?) ORDER BY stamp DESC, txid DESC LIMIT ?",
            [.text(key.string), .integer(bound.timestamp), .text(bound.transaction.hex), .integer(Int64(limit))])
        let stamps = try decodeStamps(rows)
        return zip(stamps, rows).map { IndexEntry(stamp: $0, indexedAt: $1[2].integer ?? 0) }
    }

    public func removeIndexEntries(_ entries: [(key: Key, stamp: CommitStamp)]) throws(AftError) {
        guard !entries.isEmpty else { return }
        try connection.writeTransaction { () throws(AftError) in
            for entry in entries {
                try connection.query(
                    "DELETE FROM version_index WHERE key = ? AND stamp = ? AND txid = ?",
                    [.text(entry.key.string), .integer(entry.stamp.timestamp), .text(entry.stamp.transaction.hex)])
            }
        }
    }

    public func storedVersions(after: VersionID?, limit: Int) throws(AftError) -> [StoredVersion] {
        let rows = try connection.query(
            "SELECT key, txid, written_at FROM versions WHERE (key, txid) > (?, ?) ORDER BY key, txid LIMIT ?",
            [.text(after?.key.string ?? ""), .text(after?.transaction.hex ?? ""), .integer(Int64(limit))])
        return rows.compactMap { row in
            guard let key = row[0].text, let id = row[1].text.flatMap({ TransactionID(hex: $0) }) else { return nil }
            return StoredVersion(id: VersionID(key: Key(trusted: key), transaction: id), writtenAt: row[2].integer ?? 0)
        }
    }
}
