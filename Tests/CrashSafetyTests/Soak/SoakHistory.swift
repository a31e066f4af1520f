/// The outcome of a writer's transaction as the writer can tell it from its commands' exit statuses and output alone.
enum WriteOutcome: Sendable, Equatable {
    /// Acknowledged: a commit exited 0, or an abort failed because the transaction had committed.
    case committed
    /// Known never to commit: an abort succeeded, or the process died at a fault armed only before the commit point.
    case neverCommitted
    /// The process died where the commit point may or may not have passed.
    case unknown
}

/// One transaction of a writer: the same value written to every key of a group.
struct WriteRecord: Sendable {
    let group: Int
    let value: String
    let outcome: WriteOutcome
}

/// A read inside a registered transaction of a key that transaction had just written.
struct ReadYourWritesRecord: Sendable, CustomStringConvertible {
    let key: String
    let written: String
    /// The value the read returned; nil when the key was not found.
    let read: String?

    var description: String { "wrote \(key)=\(written), then read \(read ?? "(not found)")" }
}

/// Everything the writers and readers of a soak recorded.
struct SoakHistory: Sendable {
    /// The value of every key before the writers start, committed by a plain put.
    static let initialValue = "init"

    var writes: [WriteRecord] = []
    /// Each read with the group it read.
    var reads: [(group: Int, read: GroupRead)] = []
    var readYourWrites: [ReadYourWritesRecord] = []
    /// Writer commands killed by an injected crash.
    var crashes = 0
    /// Writer commands that failed other than by a crash, for the report.
    var writerFailures: [String] = []
}

/// Anomalies found in a soak's history by ``AnomalyChecker``.
struct AnomalyReport: CustomStringConvertible {
    /// Reads whose keys did not all return the same value, although every transaction writes one value to a whole group.
    var fracturedReads: [GroupRead] = []
    /// Reads that returned a value no transaction of this group committed or may have committed.
    var dirtyReads: [GroupRead] = []
    var readYourWritesViolations: [ReadYourWritesRecord] = []
    /// Reads that failed, which are not anomalies but leave nothing to check.
    var failedReads: [GroupRead] = []

    var description: String {
        var lines = [
            "\(fracturedReads.count) fractured, \(dirtyReads.count) dirty, \(readYourWritesViolations.count) read-your-writes violations, \(failedReads.count) failed reads"
        ]
        lines += fracturedReads.prefix(3).map { "fractured: \($0)" }
        lines += dirtyReads.prefix(3).map { "dirty: \($0)" }
        lines += readYourWritesViolations.prefix(3).map { "read-your-writes: \($0)" }
        lines += failedReads.prefix(3).map { "failed: \($0)" }
        return lines.joined(separator: "\n")
    }
}

/// Counts anomalies from what the writers and readers recorded, without the engine's records.
///
/// Every transaction writes one fresh value to all keys of one group, so a read of a
/// group is atomic exactly when all its keys return the same value. A value is clean
/// when its transaction committed, or may have committed because its writer died
/// where it cannot tell.
enum AnomalyChecker {
    static func check(_ history: SoakHistory) -> AnomalyReport {
        var outcomes: [Int: [String: WriteOutcome]] = [:]
        for write in history.writes {
            outcomes[write.group, default: [:]][write.value] = write.outcome
        }

        var report = AnomalyReport()
        for (group, read) in history.reads {
            guard read.failure == nil else {
                report.failedReads.append(read)
                continue
            }
            if !read.isUniform {
                report.fracturedReads.append(read)
            }
            let isDirty = read.entries.contains { entry in
                // Every key has the initial value before any reader starts, so "not found" was never committed.
                guard let value = entry.value else { return true }
                if value == SoakHistory.initialValue { return false }
                switch outcomes[group]?[value] {
                case .committed, .unknown: return false
                case .neverCommitted, nil: return true
                }
            }
            if isDirty {
                report.dirtyReads.append(read)
            }
        }
        report.readYourWritesViolations = history.readYourWrites.filter { $0.read != $0.written }
        return report
    }
}
