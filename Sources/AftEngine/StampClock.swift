import FoundationEssentials
import Glibc

/// Issues commit timestamps: nanoseconds of this node's clock, raised when needed
/// so that each exceeds every stamp the transaction read and the last one issued.
public struct StampClock {
    private var lastIssued: Int64 = 0

    public static func now() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1_000_000_000)
    }

    mutating func next(above floor: CommitStamp?) -> Int64 {
        var timestamp = max(StampClock.now(), lastIssued + 1)
        if let floor, timestamp <= floor.timestamp {
            timestamp = floor.timestamp + 1
        }
        lastIssued = timestamp
        return timestamp
    }
}
