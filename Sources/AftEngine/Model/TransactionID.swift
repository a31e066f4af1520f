/// A 128-bit transaction id, random so that nodes never coordinate to pick one.
///
/// Its text form is 32 lowercase hexadecimal digits; the CLI shows the first
/// ``shortLength`` and accepts any unique prefix.
public struct TransactionID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let shortLength = 8

    /// The id as 32 lowercase hexadecimal digits.
    public let hex: String

    public init() {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        hex = TransactionID.hexDigits(high) + TransactionID.hexDigits(low)
    }

    /// Parses a full 32-digit id; returns nil for anything else.
    public init?(hex text: String) {
        let lowered = text.lowercased()
        guard lowered.utf8.count == 32, TransactionID.isHexadecimal(lowered) else { return nil }
        hex = lowered
    }

    /// Derives an id from a caller's idempotency key, so every retry of one request gets the same id.
    public init(idempotencyKey: String) {
        let digest = FNV1a128.hash(Array("aft-request:\(idempotencyKey)".utf8))
        // FNV-1a moves a change in the last byte only into the low bits, and the short
        // form shows the high ones, so mix both words until every bit depends on every input bit.
        let high = FNV1a128.finalize(digest.high ^ FNV1a128.finalize(digest.low))
        let low = FNV1a128.finalize(digest.low ^ high)
        hex = TransactionID.hexDigits(high) + TransactionID.hexDigits(low)
    }

    /// The smallest id, all zeros, for range bounds.
    public static let zero = TransactionID(hex: String(repeating: "0", count: 32))!
    /// The largest id, all f digits, for range bounds.
    public static let maximum = TransactionID(hex: String(repeating: "f", count: 32))!

    public var short: String { String(hex.prefix(TransactionID.shortLength)) }
    public var description: String { short }

    public static func < (lhs: TransactionID, rhs: TransactionID) -> Bool { lhs.hex < rhs.hex }

    static func isHexadecimal(_ text: String) -> Bool {
        text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    private static func hexDigits(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// The 128-bit FNV-1a hash, used only to turn idempotency keys into ids; it is not a cryptographic hash.
enum FNV1a128 {
    static func hash(_ bytes: [UInt8]) -> (high: UInt64, low: UInt64) {
        // Offset basis and prime from the FNV reference (isthe.com/chongo/tech/comp/fnv).
        var high: UInt64 = 0x6c62_272e_07bb_0142
        var low: UInt64 = 0x62b8_2175_6295_c58d
        let primeHigh: UInt64 = 0x0000_0000_0100_0000
        let primeLow: UInt64 = 0x0000_0000_0000_013b
        for byte in bytes {
            low ^= UInt64(byte)
            // 128-bit multiply modulo 2^128, split into 64-bit halves.
            let product = low.multipliedFullWidth(by: primeLow)
            let newHigh = product.high &+ high &* primeLow &+ low &* primeHigh
            low = product.low
            high = newHigh
        }
        return (high, low)
    }

    /// The 64-bit finalizer of MurmurHash3, which spreads each input bit over the whole word.
    static func finalize(_ value: UInt64) -> UInt64 {
        var mixed = value
        mixed ^= mixed >> 33
        mixed &*= 0xff51_afd7_ed55_8ccd
        mixed ^= mixed >> 33
        mixed &*= 0xc4ce_b9fe_1a85_ec53
        mixed ^= mixed >> 33
        return mixed
    }
}
