import AftEngine

/// A read that breaks one of the guarantees of read atomic isolation.
struct Anomaly: Hashable, CustomStringConvertible {
    enum Kind: String, CaseIterable {
        /// A version of a transaction that had not committed when it was read.
        case dirtyRead = "dirty read"
        /// A value that its transaction's final write of the key does not match.
        case wrongValue = "wrong value"
        /// A version whose stamp is not its transaction's commit stamp.
        case stampMismatch = "stamp mismatch"
        /// Two read-set entries `k@Ti` and `l@Tj` where `Ti` also wrote `l` and `Tj` is older than `Ti`.
        case fracturedRead = "fractured read"
        case readYourWrites = "read-your-writes violation"
        case nonRepeatableRead = "non-repeatable read"
        /// The engine's read set differs from the reads the test saw.
        case readSetMismatch = "read set mismatch"
        /// A commit stamp that is not above every stamp the transaction read.
        case staleCommitStamp = "stale commit stamp"
    }

    let kind: Kind
    let transaction: TransactionID
    let detail: String

    var description: String { "\(kind.rawValue) in \(transaction.short): \(detail)" }
}

/// Checks reads against read atomic isolation using only what the test itself did:
/// which transactions it committed, with which stamps, and what each one wrote.
///
/// It never reads the engine's records or explanations, so a wrong record or a
/// wrong explanation cannot hide a wrong read.
struct AtomicReadChecker {
    struct CommittedTransaction {
        let stamp: CommitStamp
        /// The final write of each key.
        let writes: [Key: VersionValue]
    }

    /// One result of a read: the version returned (nil for the null version or an own write) and its value.
    struct Observation: Equatable {
        let version: CommitStamp?
        let value: [UInt8]?
    }

    /// What one transaction has done so far, as the test saw it.
    struct Session {
        let id: TransactionID
        var ownWrites: [Key: VersionValue] = [:]
        /// The first result for each key read while the transaction had not written it.
        var firstReads: [Key: Observation] = [:]

        init(id: TransactionID) {
            self.id = id
        }
    }

    private(set) var committed: [TransactionID: CommittedTransaction] = [:]

    // MARK: Reads

    /// Checks one read of `key` that returned `observed`, and the engine's read set after it.
    ///
    /// Records the read in `session`, so the next read of the key is checked for repeatability.
    func checkRead(
        of key: Key, observed: Observation, session: inout Session, readSet: [Key: CommitStamp?]
    ) -> [Anomaly] {
        var anomalies = checkReturnedVersion(of: key, observed: observed, session: &session)
        anomalies += checkReadSetMatches(readSet, session: session)
        // Both the engine's read set and the reads the test saw must be atomic read sets.
        anomalies += checkAtomic(readSet, reader: session.id)
        anomalies += checkAtomic(session.firstReads.mapValues(\.version), reader: session.id)
        return anomalies
    }

    private func checkReturnedVersion(of key: Key, observed: Observation, session: inout Session) -> [Anomaly] {
        if let own = session.ownWrites[key] {
            guard observed.value == own.bytes else {
                return [Anomaly(kind: .readYourWrites, transaction: session.id, detail: "\(key) returned \(show(observed)) after the transaction wrote \(show(own.bytes))")]
            }
            return []
        }

        if let first = session.firstReads[key] {
            guard observed == first else {
                return [Anomaly(kind: .nonRepeatableRead, transaction: session.id, detail: "\(key) returned \(show(observed)), first \(show(first))")]
            }
            return []
        }

        session.firstReads[key] = observed
        return checkCommitted(key, observed: observed, reader: session.id)
    }

    /// Checks that a first read returned the final write of a transaction committed before the read.
    private func checkCommitted(_ key: Key, observed: Observation, reader: TransactionID) -> [Anomaly] {
        guard let version = observed.version else {
            guard observed.value == nil else {
                return [Anomaly(kind: .wrongValue, transaction: reader, detail: "\(key) returned \(show(observed.value)) for the null version")]
            }
            return []
        }

        guard let writer = committed[version.transaction] else {
            return [Anomaly(kind: .dirtyRead, transaction: reader, detail: "\(key)@\(version.transaction.short) was not committed")]
        }
        var anomalies: [Anomaly] = []
        if writer.stamp != version {
            anomalies.append(Anomaly(kind: .stampMismatch, transaction: reader, detail: "\(key) returned stamp \(version), committed as \(writer.stamp)"))
        }
        guard let written = writer.writes[key] else {
            anomalies.append(Anomaly(kind: .wrongValue, transaction: reader, detail: "\(key)@\(version.transaction.short) names a transaction that never wrote \(key)"))
            return anomalies
        }
        if written.bytes != observed.value {
            anomalies.append(Anomaly(kind: .wrongValue, transaction: reader, detail: "\(key)@\(version.transaction.short) returned \(show(observed.value)), written as \(show(written.bytes))"))
        }
        return anomalies
    }

    /// Checks that the engine's read set contains exactly the first reads the test saw.
    private func checkReadSetMatches(_ readSet: [Key: CommitStamp?], session: Session) -> [Anomaly] {
        let expected = session.firstReads.mapValues(\.version)
        guard readSet != expected else { return [] }
        return [Anomaly(kind: .readSetMismatch, transaction: session.id, detail: "engine holds \(show(readSet)), test saw \(show(expected))")]
    }

    /// Checks the atomic read set condition on every pair of entries, ordering transactions by the stamps the test committed them with.
    ///
    /// Entries of transactions that are not committed are skipped, because the read that
    /// returned them is already a dirty read.
    private func checkAtomic(_ readSet: [Key: CommitStamp?], reader: TransactionID) -> [Anomaly] {
        var anomalies: [Anomaly] = []
        for (readKey, entry) in readSet {
            guard let entry, let writer = committed[entry.transaction] else { continue }
            for cowritten in writer.writes.keys where cowritten != readKey {
                guard let other = readSet[cowritten] else { continue }
                let isFractured: Bool
                if let other {
                    guard let otherWriter = committed[other.transaction] else { continue }
                    isFractured = otherWriter.stamp < writer.stamp
                } else {
                    isFractured = true
                }
                if isFractured {
                    anomalies.append(Anomaly(
                        kind: .fracturedRead, transaction: reader,
                        detail: "\(readKey)@\(entry.transaction.short) beside \(cowritten)@\(other?.transaction.short ?? "⊥"), but \(entry.transaction.short) also wrote \(cowritten)"))
                }
            }
        }
        return anomalies
    }

    // MARK: Commits

    /// Adds a transaction that the test committed with `stamp`, after checking the stamp against its reads.
    mutating func recordCommit(of session: Session, stamp: CommitStamp) -> [Anomaly] {
        var anomalies: [Anomaly] = []
        for (key, observation) in session.firstReads {
            guard let version = observation.version, let writer = committed[version.transaction] else { continue }
            if stamp <= writer.stamp {
                anomalies.append(Anomaly(kind: .staleCommitStamp, transaction: session.id, detail: "stamp \(stamp) is not above \(writer.stamp), read at \(key)"))
            }
        }
        committed[session.id] = CommittedTransaction(stamp: stamp, writes: session.ownWrites)
        return anomalies
    }

    /// Returns the committed write of `key` with the highest commit stamp, or nil when no committed transaction wrote it.
    func newestWrite(of key: Key) -> VersionValue? {
        committed.values.filter { $0.writes[key] != nil }.max { $0.stamp < $1.stamp }?.writes[key]
    }

    // MARK: Formatting

    private func show(_ value: [UInt8]?) -> String {
        value.map { Escaping.quoted($0) } ?? "not found"
    }

    private func show(_ observation: Observation) -> String {
        "\(show(observation.value)) at \(observation.version.map(\.description) ?? "⊥")"
    }

    private func show(_ readSet: [Key: CommitStamp?]) -> String {
        let entries = readSet.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value?.transaction.short ?? "⊥")" }
        return "{\(entries.joined(separator: ", "))}"
    }
}
