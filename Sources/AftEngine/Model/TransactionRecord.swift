/// The state of a transaction in storage.
public enum TransactionStatus: String, Sendable, Codable {
    /// Registered by `begin`, with staged writes that no reader can see yet.
    case running
    /// The commit point passed: the record is durable and its versions are visible.
    case committed
    case aborted
}

/// The stored record of a transaction.
///
/// Once committed or aborted a record never changes, so any process may cache it.
/// A running record changes only through a compare-and-set on ``revision``.
public struct TransactionRecord: Hashable, Sendable {
    public var id: TransactionID
    public var status: TransactionStatus
    /// The consistency mode's name, such as `read-atomic` or `lww`.
    public var mode: String
    /// The commit stamp; nil until committed.
    public var stamp: CommitStamp?
    /// Keys written, in the order first written.
    public var writeSet: [Key]
    /// For each key read, the version returned; nil stands for the null version.
    public var readSet: [Key: CommitStamp?]
    /// Nanoseconds since the Unix epoch when the transaction began.
    public var startTime: Int64
    /// The node that began the transaction, as `host:pid`.
    public var node: String
    /// Nanoseconds since the Unix epoch after which an inactive running transaction may be aborted; 0 for none.
    public var leaseExpiry: Int64
    /// Bumped by every change of a running record, for compare-and-set.
    public var revision: Int
    /// The reason the transaction aborted, when it did.
    public var abortReason: String?

    public init(
        id: TransactionID, status: TransactionStatus, mode: String, stamp: CommitStamp? = nil,
        writeSet: [Key] = [], readSet: [Key: CommitStamp?] = [:], startTime: Int64, node: String,
        leaseExpiry: Int64 = 0, revision: Int = 0, abortReason: String? = nil
    ) {
        self.id = id
        self.status = status
        self.mode = mode
        self.stamp = stamp
        self.writeSet = writeSet
        self.readSet = readSet
        self.startTime = startTime
        self.node = node
        self.leaseExpiry = leaseExpiry
        self.revision = revision
        self.abortReason = abortReason
    }

    /// True when the record can no longer change, so caches may keep it.
    public var isFinal: Bool { status != .running && mode != LastWriterWins.name }
}
