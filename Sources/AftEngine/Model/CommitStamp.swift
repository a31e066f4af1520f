/// The total order of committed transactions: a timestamp, with the transaction id breaking ties.
public struct CommitStamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the Unix epoch on the committing node's clock, raised past every stamp the transaction read.
    public let timestamp: Int64
    public let transaction: TransactionID

    public init(timestamp: Int64, transaction: TransactionID) {
        self.timestamp = timestamp
        self.transaction = transaction
    }

    public static func < (lhs: CommitStamp, rhs: CommitStamp) -> Bool {
        if lhs.timestamp != rhs.timestamp { return lhs.timestamp < rhs.timestamp }
        return lhs.transaction < rhs.transaction
    }

    /// The stamp as text, `TIMESTAMP.ID`, which sorts like the stamp itself when timestamps have equal length.
    public var text: String { "\(timestamp).\(transaction.hex)" }

    public var description: String { "\(transaction.short)@\(timestamp)" }
}

/// Either a committed stamp or the null version `k@⊥`, which is older than every stamp.
///
/// `nil` plays the null version, so `Optional<CommitStamp>` orders ⊥ first.
public func isOlder(_ lhs: CommitStamp?, than rhs: CommitStamp) -> Bool {
    guard let lhs else { return true }
    return lhs < rhs
}
