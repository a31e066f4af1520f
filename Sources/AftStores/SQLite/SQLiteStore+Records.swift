import AftEngine

extension SQLiteStore {
    private static let recordColumns =
        "id, status, mode, stamp, write_set, read_set, start_time, node, lease_expiry, revision, abort_reason"

    public func insertRecord(_ record: TransactionRecord) throws(AftError) -> TransactionRecord? {
        try connection.query(
            "INSERT INTO transactions (\(SQLiteStore.recordColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            recordValues(record))
        guard connection.changes == 0 else { return nil }
        return try readRecords([record.id])[record.id]
    }

    public func replaceRecord(_ record: TransactionRecord, expectedRevision: Int) throws(AftError) -> RecordReplacement {
        let values = recordValues(record)
        try connection.query(
            """
            UPDATE transactions SET status = ?, mode = ?, stamp = ?, write_set = ?, read_set = ?, start_time = ?,
                node = ?, lease_expiry = ?, revision = ?, abort_reason = ?
            WHERE id = ? AND revision = ?
            """,
            Array(values.dropFirst()) + [values[0], .integer(Int64(expectedRevision))])
        guard connection.changes == 0 else { return .replaced }
        guard let stored = try readRecords([record.id])[record.id] else { return .missing }
        return .conflict(stored)
    }

    public func readRecords(_ ids: [TransactionID]) throws(AftError) -> [TransactionID: TransactionRecord] {
        var found: [TransactionID: TransactionRecord] = [:]
        for id in ids {
            let rows = try connection.query("SELECT \(SQLiteStore.recordColumns) FROM transactions WHERE id = ?", [.text(id.hex)])
            guard let row = rows.first else { continue }
            found[id] = try decodeRecord(row)
        }
        return found
    }

    public func records(after: TransactionID?, limit: Int) throws(AftError) -> [TransactionRecord] {
        let rows = try connection.query(
            "SELECT \(SQLiteStore.recordColumns) FROM transactions WHERE id > ? ORDER BY id LIMIT ?",
            [.text(after?.hex ?? ""), .integer(Int64(limit))])
        return try rows.map { row throws(AftError) in try decodeRecord(row) }
    }

    public func transactionIDs(withPrefix prefix: String, limit: Int) throws(AftError) -> [TransactionID] {
        // Ids are lowercase hexadecimal, so every id with the prefix sorts in [prefix, prefix + "g").
        let rows = try connection.query(
            "SELECT id FROM transactions WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
            [.text(prefix), .text(prefix + "g"), .integer(Int64(limit))])
        return rows.compactMap { $0[0].text.flatMap { TransactionID(hex: $0) } }
    }

    private func recordValues(_ record: TransactionRecord) -> [SQLiteValue] {
        [
            .text(record.id.hex), .text(record.status.rawValue), .text(record.mode),
            record.stamp.map { .integer($0.timestamp) } ?? .null,
            .text(RecordCoding.encodeWriteSet(record.writeSet)), .text(RecordCoding.encodeReadSet(record.readSet)),
            .integer(record.startTime), .text(record.node), .integer(record.leaseExpiry),
            .integer(Int64(record.revision)), record.abortReason.map { .text($0) } ?? .null,
        ]
    }

    private func decodeRecord(_ row: [SQLiteValue]) throws(AftError) -> TransactionRecord {
        guard let idText = row[0].text, let id = TransactionID(hex: idText),
              let statusText = row[1].text, let status = TransactionStatus(rawValue: statusText),
              let mode = row[2].text, let writeSet = row[4].text, let readSet = row[5].text,
              let startTime = row[6].integer, let node = row[7].text,
              let leaseExpiry = row[8].integer, let revision = row[9].integer
        else {
            throw AftError(.storeIO, "corrupt transaction record \(row[0].text ?? "without id") in \(Escaping.quoted(path)); restore the store from a backup")
        }
        return TransactionRecord(
            id: id, status: status, mode: mode,
            stamp: row[3].integer.map { CommitStamp(timestamp: $0, transaction: id) },
            writeSet: try RecordCoding.decodeWriteSet(writeSet), readSet: try RecordCoding.decodeReadSet(readSet),
            startTime: startTime, node: node, leaseExpiry: leaseExpiry, revision: Int(revision),
            abortReason: row[10].text)
    }
}
