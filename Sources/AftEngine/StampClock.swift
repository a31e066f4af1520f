import FoundationEssentials
import Glibc

/// Issues commit timestamps: nanoseconds of this node's clock, raised when needed
/// so that each exceeds every stamp the transaction read and the last one issued.
public struct StampClock {
    private var lastIssued: Int64 = 0

    /// Nanoseconds since the Unix epoch from CLOCK_REALTIME; a Double of seconds would round to about 256 ns.
    public static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
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

extension Engine {
    /// Converts a duration to whole nanoseconds, the unit of stamps, leases and record times.
    public static func nanoseconds(_ duration: Duration) -> Int64 {
        let components = duration.components
        return components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
