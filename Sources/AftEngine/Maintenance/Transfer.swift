import FoundationEssentials

/// One committed transaction as `aft export` writes it and `aft import` reads it: one JSON line each.
public struct ExportedTransaction: Codable, Equatable, Sendable {
    public struct Write: Codable, Equatable, Sendable {
        public let key: String
        public let deleted: Bool
        /// The value as UTF-8 text, or base64 when `encoding` is `base64`. Absent for a delete.
        public let value: String?
        /// `utf-8` or `base64`; absent for a delete.
        public let encoding: String?
    }

    public let transaction: String
    /// The commit stamp as `TIMESTAMP.ID`.
    public let stamp: String
    public let mode: String
    public let startTime: Int64
    public let node: String
    public let writes: [Write]
    /// `[key, "TIMESTAMP.ID"]` pairs, with null for a key read as absent.
    public let reads: [[String?]]

    enum CodingKeys: String, CodingKey {
        case transaction, stamp, mode, node, writes, reads
        case startTime = "start_time"
    }
}

/// The counts of an export or an import.
public struct TransferReport: Sendable, Equatable {
    public var transactions = 0
    public var versions = 0
    /// Committed transactions left out of an export because garbage collection had removed their versions.
    public var collected = 0
    /// Transactions an import found already present with the same stamp.
    public var alreadyPresent = 0
}

extension Engine {
    /// Emits every committed transaction whose versions are still stored, in id order.
    ///
    /// Garbage collection deletes all of a transaction's versions at once, so a
    /// transaction is exported whole or, when nothing of it is readable any more, not at all.
    public func exportCommitted(_ emit: (ExportedTransaction) throws(AftError) -> Void) throws(AftError) -> TransferReport {
        var report = TransferReport()
        var cursor: TransactionID?
        while true {
            let page = try store.records(after: cursor, limit: 200)
            guard let last = page.last else { break }
            for record in page where record.status == .committed && !record.writeSet.isEmpty {
                guard let stamp = record.stamp else { continue }
                let ids = record.writeSet.map { VersionID(key: $0, transaction: record.id) }
                let versions = try store.readVersions(ids)
                guard versions.count == ids.count else {
                    report.collected += 1
                    continue
                }
                let writes = ids.map { id in ExportedTransaction.Write(id.key, versions[id]!) }
                let reads = record.readSet.sorted { $0.key < $1.key }.map { [$0.key.string, $0.value?.text] }
                try emit(ExportedTransaction(
                    transaction: record.id.hex, stamp: stamp.text, mode: record.mode, startTime: record.startTime,
                    node: record.node, writes: writes, reads: reads))
                report.transactions += 1
                report.versions += writes.count
            }
            cursor = last.id
        }
        return report
    }

    /// A transaction checked and ready to import.
    public struct PreparedImport: Sendable {
        let record: TransactionRecord
        let versions: [Version]
    }

    /// Checks an exported transaction and turns it into versions and a record, writing nothing.
    public func prepareImport(_ exported: ExportedTransaction) throws(AftError) -> PreparedImport {
        guard let id = TransactionID(hex: exported.transaction),
              let stamp = CommitStamp(text: exported.stamp), stamp.transaction == id
        else {
            throw AftError(.invalidInput, "exported transaction \(Escaping.quoted(exported.transaction)) has an invalid id or stamp; give a file written by 'aft export'")
        }
        var versions: [Version] = []
        for write in exported.writes {
            let key = try Key(write.key)
            let contents = try write.contents(transaction: exported.transaction)
            try checkValueSize(contents, key: key)
            versions.append(Version(key: key, transaction: id, contents: contents))
        }
        var readSet: [Key: CommitStamp?] = [:]
        for pair in exported.reads {
            guard pair.count == 2, let name = pair[0] else {
                throw AftError(.invalidInput, "exported transaction \(id.short) has a malformed read; each read is [key, stamp or null]")
            }
            // `.some` keeps a null-version read: assigning a bare nil would remove the key.
            readSet[try Key(name)] = .some(try pair[1].map { text throws(AftError) -> CommitStamp in
                guard let stamp = CommitStamp(text: text) else {
                    throw AftError(.invalidInput, "exported transaction \(id.short) read \(Escaping.quoted(name)) at an invalid stamp \(Escaping.quoted(text))")
                }
                return stamp
            })
        }
        let record = TransactionRecord(
            id: id, status: .committed, mode: exported.mode, stamp: stamp, writeSet: versions.map(\.id.key),
            readSet: readSet, startTime: exported.startTime, node: exported.node)
        return PreparedImport(record: record, versions: versions)
    }

    /// Stores a prepared transaction by the commit protocol: versions, then the record, then the index.
    /// Returns false when the transaction was already present with the same stamp, which changes nothing.
    @discardableResult
    public func importTransaction(_ prepared: PreparedImport) throws(AftError) -> Bool {
        let record = prepared.record
        let id = record.id
        if let existing = try store.readRecords([id])[id] {
            guard existing.status == .committed, existing.stamp == record.stamp else {
                throw AftError(.failed, "transaction \(id.short) already exists in the target store as \(existing.status.rawValue) with another stamp; import into an empty store")
            }
            try store.indexCommit(existing)
            return false
        }
        try store.writeVersions(prepared.versions)
        if try store.insertRecord(record) != nil {
            return false
        }
        try store.indexCommit(record)
        return true
    }
}

extension ExportedTransaction.Write {
    init(_ key: Key, _ contents: VersionValue) {
        switch contents {
        case .tombstone:
            self.init(key: key.string, deleted: true, value: nil, encoding: nil)
        case .value(let bytes):
            if let text = String(validating: bytes, as: UTF8.self) {
                self.init(key: key.string, deleted: false, value: text, encoding: "utf-8")
            } else {
                self.init(key: key.string, deleted: false, value: Data(bytes).base64EncodedString(), encoding: "base64")
            }
        }
    }

    func contents(transaction: String) throws(AftError) -> VersionValue {
        if deleted { return .tombstone }
        guard let value else {
            throw AftError(.invalidInput, "exported write of \(Escaping.quoted(key)) in \(transaction.prefix(8)) has no value; give a file written by 'aft export'")
        }
        switch encoding {
        case "utf-8", nil:
            return .value(Array(value.utf8))
        case "base64":
            guard let data = Data(base64Encoded: value) else {
                throw AftError(.invalidInput, "exported value of \(Escaping.quoted(key)) in \(transaction.prefix(8)) is not valid base64")
            }
            return .value(Array(data))
        case let other:
            throw AftError(.invalidInput, "exported value of \(Escaping.quoted(key)) has unknown encoding \(Escaping.quoted(other ?? "")); use utf-8 or base64")
        }
    }
}
