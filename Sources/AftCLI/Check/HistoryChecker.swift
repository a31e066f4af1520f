import AftEngine

/// Finds isolation anomalies in a recorded history, using only what the history records.
///
/// The checker uses which transaction wrote each value read (values name their
/// writer), which transactions committed, and the commit order (their stamps). It
/// never consults a store or the engine. Values from transactions the history does
/// not mention count as data that was stored before the history began.
///
/// NOTE: a read of a deleted key records no writer, so a history with deletes would
/// show false fractured reads; `aft bench` never deletes.
struct HistoryChecker {
    enum Kind: String, CaseIterable, Sendable {
        /// A read returned a value of a transaction that the history records as not committed.
        case dirtyRead = "dirty-read"
        /// A read set mixed a transaction's writes with a version older than it on another key it wrote, including "not found".
        case fracturedRead = "fractured-read"
        /// A read of a key the transaction had written returned something else.
        case readYourWrites = "read-your-writes"
        /// Two reads of one key, with no write in between, returned different versions.
        case repeatableRead = "repeatable-read"
    }

    struct Anomaly: Hashable, Sendable {
        let kind: Kind
        let transaction: String
        /// The consistency mode the transaction ran in, when the history records it.
        let mode: String?
        let detail: String
    }

    let transactions: [HistoryTransaction]
    private let committed: [String: HistoryTransaction]
    /// Every transaction of the history that did not commit.
    private let uncommitted: Set<String>
    private let order: [String: Int]

    init(_ transactions: [HistoryTransaction]) {
        self.transactions = transactions
        var committed: [String: HistoryTransaction] = [:]
        for transaction in transactions where transaction.status == .committed {
            committed[transaction.transaction] = transaction
        }
        self.committed = committed
        uncommitted = Set(transactions.filter { $0.status != .committed }.map(\.transaction))
        // Commit order: by stamp, which sorts as (timestamp, id).
        let sorted = committed.values.sorted { lhs, rhs in
            HistoryChecker.stampKey(lhs) < HistoryChecker.stampKey(rhs)
        }
        var order: [String: Int] = [:]
        for (position, transaction) in sorted.enumerated() {
            order[transaction.transaction] = position
        }
        self.order = order
    }

    private static func stampKey(_ transaction: HistoryTransaction) -> (Int64, String) {
        guard let stamp = transaction.stamp, let dot = stamp.firstIndex(of: "."), let timestamp = Int64(stamp[..<dot]) else {
            return (.max, transaction.transaction)
        }
        return (timestamp, transaction.transaction)
    }

    /// Checks every committed transaction of the history.
    func anomalies() -> [Anomaly] {
        transactions.filter { $0.status == .committed }.flatMap(check)
    }

    /// Checks one transaction; the same anomaly found twice in it, as by two reads of one key, counts once.
    func check(_ transaction: HistoryTransaction) -> [Anomaly] {
        var seen = Set<Anomaly>()
        return findAnomalies(in: transaction).filter { seen.insert($0).inserted }
    }

    private func findAnomalies(in transaction: HistoryTransaction) -> [Anomaly] {
        var found: [Anomaly] = []
        var written: Set<String> = []
        var firstRead: [String: String?] = [:]
        var readSet: [(key: String, writer: String?)] = []

        for operation in transaction.operations {
            switch operation.op {
            case .write:
                written.insert(operation.key)
            case .read:
                // A writer the history does not mention wrote data that was there before it began.
                if let writer = operation.writer, writer != transaction.transaction, uncommitted.contains(writer) {
                    found.append(Anomaly(kind: .dirtyRead, transaction: transaction.transaction, mode: transaction.mode, detail: "read \(operation.key) written by \(writer), which never committed"))
                }
                if written.contains(operation.key) {
                    if operation.writer != transaction.transaction {
                        found.append(Anomaly(kind: .readYourWrites, transaction: transaction.transaction, mode: transaction.mode, detail: "wrote \(operation.key) but read \(operation.writer ?? "not found")"))
                    }
                    continue
                }
                if let earlier = firstRead[operation.key] {
                    if earlier != operation.writer {
                        found.append(Anomaly(kind: .repeatableRead, transaction: transaction.transaction, mode: transaction.mode, detail: "read \(operation.key) from \(earlier ?? "not found"), then from \(operation.writer ?? "not found")"))
                    }
                    continue
                }
                firstRead[operation.key] = .some(operation.writer)
                if let fracture = fracture(adding: (operation.key, operation.writer), to: readSet) {
                    found.append(Anomaly(kind: .fracturedRead, transaction: transaction.transaction, mode: transaction.mode, detail: fracture))
                }
                readSet.append((operation.key, operation.writer))
            }
        }
        return found
    }

    /// Checks the atomic read set rule between a new read and every earlier one, both ways.
    private func fracture(adding new: (key: String, writer: String?), to readSet: [(key: String, writer: String?)]) -> String? {
        for old in readSet {
            if let problem = violates(newer: old, older: new) ?? violates(newer: new, older: old) {
                return problem
            }
        }
        return nil
    }

    /// Describes a fracture when `newer`'s writer also wrote `older.key` but `older` came
    /// from a transaction before it, or from no transaction at all.
    private func violates(newer: (key: String, writer: String?), older: (key: String, writer: String?)) -> String? {
        guard let writer = newer.writer, let writerTransaction = committed[writer],
              writerTransaction.operations.contains(where: { $0.op == .write && $0.key == older.key }),
              let writerPosition = order[writer]
        else { return nil }
        guard let olderWriter = older.writer else {
            return "read \(newer.key) from \(writer), which also wrote \(older.key), but read \(older.key) as not found"
        }
        guard olderWriter != writer, let olderPosition = order[olderWriter], olderPosition < writerPosition else { return nil }
        return "read \(newer.key) from \(writer), which also wrote \(older.key), but read \(older.key) from the older \(olderWriter)"
    }
}
