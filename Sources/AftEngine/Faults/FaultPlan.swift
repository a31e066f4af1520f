import FoundationEssentials
import Glibc

/// A named place in the commit protocol or the store interface where a fault can be injected.
public enum FaultPoint: Hashable, Sendable, CustomStringConvertible {
    /// Commit was called and nothing is written yet.
    case commitBeforeVersions
    /// The transaction's Nth version has reached storage (at commit, when staged, or at a put in `lww` mode).
    case writeAfter(Int)
    /// The commit record is stored but the index is not updated.
    case commitAfterRecord
    /// Everything is written but the commit is not acknowledged.
    case commitAfterIndex
    case storeGet, storePut, storeDelete, storeScan

    public static let names = [
        "commit.before-versions", "write.after:N", "commit.after-record", "commit.after-index",
        "store.get", "store.put", "store.delete", "store.scan",
    ]

    public var description: String {
        switch self {
        case .commitBeforeVersions: "commit.before-versions"
        case .writeAfter(let count): "write.after:\(count)"
        case .commitAfterRecord: "commit.after-record"
        case .commitAfterIndex: "commit.after-index"
        case .storeGet: "store.get"
        case .storePut: "store.put"
        case .storeDelete: "store.delete"
        case .storeScan: "store.scan"
        }
    }

    init?(name: String) {
        switch name {
        case "commit.before-versions": self = .commitBeforeVersions
        case "commit.after-record": self = .commitAfterRecord
        case "commit.after-index": self = .commitAfterIndex
        case "store.get": self = .storeGet
        case "store.put": self = .storePut
        case "store.delete": self = .storeDelete
        case "store.scan": self = .storeScan
        default:
            guard name.hasPrefix("write.after:"), let count = Int(name.dropFirst("write.after:".count)), count >= 1 else {
                return nil
            }
            self = .writeAfter(count)
        }
    }
}

/// What happens when an armed fault point is reached.
public enum FaultAction: Hashable, Sendable {
    /// The process dies at once, as a killed function would.
    case crash
    /// The operation fails with a retryable error.
    case error
    case delay(Duration)
}

/// When an armed fault fires.
public enum FaultTrigger: Hashable, Sendable {
    case always
    /// Only on the Nth time the point is reached, counting from 1.
    case onHit(Int)
    case probability(Double)
}

/// One armed fault, parsed from a spec such as `write.after:1=crash` or `store.put=error@0.05`.
public struct FaultRule: Hashable, Sendable, CustomStringConvertible {
    public let point: FaultPoint
    public let action: FaultAction
    public let trigger: FaultTrigger

    public init(point: FaultPoint, action: FaultAction, trigger: FaultTrigger = .always) {
        self.point = point
        self.action = action
        self.trigger = trigger
    }

    /// Parses `POINT=ACTION[@P|#N]`: `@P` fires with probability P, `#N` on the Nth hit.
    public init(spec: String) throws(AftError) {
        let help = "write a fault as POINT=ACTION, as in write.after:1=crash or store.put=error@0.05"
        guard let equals = spec.firstIndex(of: "=") else {
            throw AftError(.usage, "invalid fault \(Escaping.quoted(spec)): missing '='; \(help)")
        }
        let pointName = String(spec[..<equals])
        guard let point = FaultPoint(name: pointName) else {
            throw AftError(.usage, "unknown fault point \(Escaping.quoted(pointName)); use one of \(FaultPoint.names.joined(separator: ", "))")
        }
        var actionText = String(spec[spec.index(after: equals)...])
        var trigger = FaultTrigger.always
        if let at = actionText.firstIndex(where: { $0 == "@" || $0 == "#" }) {
            let triggerText = String(actionText[actionText.index(after: at)...])
            if actionText[at] == "@" {
                guard let probability = Double(triggerText), probability > 0, probability <= 1 else {
                    throw AftError(.usage, "invalid fault probability \(Escaping.quoted(triggerText)) in \(Escaping.quoted(spec)); give a number above 0 and at most 1, as in @0.05")
                }
                trigger = .probability(probability)
            } else {
                guard let count = Int(triggerText), count >= 1 else {
                    throw AftError(.usage, "invalid fault hit count \(Escaping.quoted(triggerText)) in \(Escaping.quoted(spec)); give a whole number from 1, as in #3")
                }
                trigger = .onHit(count)
            }
            actionText = String(actionText[..<at])
        }
        self.init(point: point, action: try FaultRule.parseAction(actionText, spec: spec), trigger: trigger)
    }

    private static func parseAction(_ text: String, spec: String) throws(AftError) -> FaultAction {
        switch text {
        case "crash": return .crash
        case "error": return .error
        default:
            if text.hasPrefix("delay="), let duration = DurationParser.parse(String(text.dropFirst("delay=".count))) {
                return .delay(duration)
            }
            throw AftError(.usage, "unknown fault action \(Escaping.quoted(text)) in \(Escaping.quoted(spec)); use crash, error or delay=DURATION such as delay=200ms")
        }
    }

    public var description: String {
        var text = "\(point)="
        switch action {
        case .crash: text += "crash"
        case .error: text += "error"
        case .delay(let duration): text += "delay=\(duration)"
        }
        switch trigger {
        case .always: break
        case .onHit(let count): text += "#\(count)"
        case .probability(let probability): text += "@\(probability)"
        }
        return text
    }
}

/// The armed faults of one node, with a hit count per rule.
public final class FaultPlan {
    public private(set) var rules: [FaultRule]
    private var hits: [Int]
    private var generator = SystemRandomNumberGenerator()
    /// Runs for a `crash` action; the default kills the process with SIGKILL. The shell replaces it to drop its node.
    public var crash: () throws(AftError) -> Void = { FaultPlan.killProcess() }
    /// True once a `crash` action fired; a replaced crash hook returns or throws, and the node is then dead.
    public private(set) var hasCrashed = false

    public init(rules: [FaultRule] = []) {
        self.rules = rules
        self.hits = Array(repeating: 0, count: rules.count)
    }

    /// Parses a comma-separated list of fault specs.
    public convenience init(specs: String) throws(AftError) {
        var rules: [FaultRule] = []
        for spec in specs.split(separator: ",") {
            let trimmed = String(spec.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
            if !trimmed.isEmpty { rules.append(try FaultRule(spec: trimmed)) }
        }
        self.init(rules: rules)
    }

    public var isEmpty: Bool { rules.isEmpty }

    public func arm(_ rule: FaultRule) {
        rules.append(rule)
        hits.append(0)
    }

    public func disarmAll() {
        rules.removeAll()
        hits.removeAll()
    }

    /// Fires every rule armed at `point` whose trigger matches.
    public func reach(_ point: FaultPoint) throws(AftError) {
        for index in rules.indices where rules[index].point == point {
            hits[index] += 1
            guard shouldFire(rules[index].trigger, hit: hits[index]) else { continue }
            switch rules[index].action {
            case .crash:
                hasCrashed = true
                try crash()
            case .error:
                throw AftError(.retryableAbort, "injected error at \(point)")
            case .delay(let duration):
                Pause.sleep(for: duration)
            }
        }
    }

    private func shouldFire(_ trigger: FaultTrigger, hit: Int) -> Bool {
        switch trigger {
        case .always: true
        case .onHit(let count): hit == count
        case .probability(let probability): Double.random(in: 0..<1, using: &generator) < probability
        }
    }

    static func killProcess() {
        // SIGKILL, so that no exit handler or buffered write runs, as when a platform kills a function.
        kill(getpid(), SIGKILL)
    }
}

/// Parses durations such as `200ms`, `1.5s`, `2m` or `1h`.
public enum DurationParser {
    public static func parse(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("us", 0.000_001), ("ns", 1e-9), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let number = Double(text.dropLast(suffix.count)), number >= 0, number.isFinite else { return nil }
            return .nanoseconds(Int64(number * scale * 1e9))
        }
        return nil
    }
}

/// Blocks the calling thread, for code that is not async.
public enum Pause {
    public static func sleep(for duration: Duration) {
        let components = duration.components
        var request = timespec(tv_sec: Int(components.seconds), tv_nsec: Int(components.attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1 && errno == EINTR {
            request = remaining
        }
    }
}
