/// A consistency mode: how a transaction reads, writes, commits and aborts.
///
/// Modes are pluggable, and ``ConsistencyModes`` lists the ones aft accepts by name.
public protocol ConsistencyMode: Sendable {
    /// The name users type, as in `--consistency read-atomic`.
    var name: String { get }
    func read(_ key: Key, in transaction: Transaction) throws(AftError) -> ReadResult
    func write(_ contents: VersionValue, to key: Key, in transaction: Transaction) throws(AftError)
    func commit(_ transaction: Transaction) throws(AftError) -> CommitOutcome
    func abort(_ transaction: Transaction, reason: String) throws(AftError)
}

/// The modes aft accepts by name.
public enum ConsistencyModes {
    public static let all: [any ConsistencyMode] = [ReadAtomic(), LastWriterWins()]

    public static var names: [String] { all.map(\.name) }

    public static func named(_ name: String) -> (any ConsistencyMode)? {
        all.first { $0.name == name }
    }
}
