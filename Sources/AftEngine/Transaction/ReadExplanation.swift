/// Why a read returned what it did: the candidates considered and the rule that decided each.
public struct ReadExplanation: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// The transaction wrote the key, so the read returns its latest write.
        case ownWrite
        /// The key was read before, so the read repeats that version.
        case repeatedRead
        /// A committed version chosen from storage.
        case storedVersion
        /// No valid committed version: the null version `k@⊥`.
        case nullVersion
        /// The newest stored version, taken without validation (`lww`).
        case newestUnvalidated
    }

    public enum Outcome: Sendable, Equatable {
        case chosen
        /// The candidate's transaction also wrote `key`, which this transaction read at `readVersion`, an older version.
        case fractured(key: Key, readVersion: CommitStamp?)
        /// The index named a transaction whose record is missing or not committed.
        case notCommitted
    }

    public struct Candidate: Sendable, Equatable {
        public let stamp: CommitStamp
        public let outcome: Outcome
    }

    public let key: Key
    public var source: Source
    /// The newest version of a transaction in the read set that also wrote this key, and the key read from it.
    public var lowerBound: (stamp: CommitStamp, readKey: Key)?
    public var candidates: [Candidate] = []
    /// True when the lower bound was committed but missing from the index, and this read indexed it.
    public var repairedIndex = false

    public init(key: Key, source: Source) {
        self.key = key
        self.source = source
    }

    public static func == (lhs: ReadExplanation, rhs: ReadExplanation) -> Bool {
        lhs.key == rhs.key && lhs.source == rhs.source && lhs.lowerBound?.stamp == rhs.lowerBound?.stamp
            && lhs.lowerBound?.readKey == rhs.lowerBound?.readKey && lhs.candidates == rhs.candidates
            && lhs.repairedIndex == rhs.repairedIndex
    }
}
