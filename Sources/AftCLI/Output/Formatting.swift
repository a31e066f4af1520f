import AftEngine
import FoundationEssentials
import Glibc

/// Text forms shared by every command's output.
enum Formatting {
    /// Formats nanoseconds since the Unix epoch as UTC with microseconds, as in `2026-12-04 19:55:01.123456Z`.
    static func time(_ nanoseconds: Int64) -> String {
        var seconds = time_t(nanoseconds / 1_000_000_000)
        let micros = (nanoseconds % 1_000_000_000) / 1000
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let microDigits = String(micros)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2)) "
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + String(repeating: "0", count: 6 - microDigits.count) + microDigits + "Z"
    }

    /// Formats nanoseconds since the Unix epoch as ISO 8601 in UTC, as in `2026-12-04T19:55:01.123456Z`, for JSON.
    static func isoTime(_ nanoseconds: Int64) -> String {
        time(nanoseconds).replacingAll(" ", with: "T")
    }

    /// Builds the fields that carry a value in JSON: text when the bytes are UTF-8, base64 otherwise.
    static func jsonValueFields(_ bytes: [UInt8]) -> [(String, JSONValue)] {
        if let text = String(validating: bytes, as: UTF8.self) {
            return [("value", .string(text)), ("encoding", .string("utf-8"))]
        }
        return [("value", .string(Data(bytes).base64EncodedString())), ("encoding", .string("base64"))]
    }

    static func jsonStamp(_ stamp: CommitStamp?) -> JSONValue {
        stamp.map { .string($0.text) } ?? .null
    }

    /// A version name such as `k@3f2a91c0`, or `k@⊥` for the null version.
    static func version(_ key: Key, _ stamp: CommitStamp?) -> String {
        "\(Escaping.token(key.string))@\(stamp?.transaction.short ?? "⊥")"
    }

    static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    static func keyList(_ keys: [Key]) -> String {
        keys.map { Escaping.token($0.string) }.joined(separator: ", ")
    }
}
