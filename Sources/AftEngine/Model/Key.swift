/// A stored key: a non-empty UTF-8 string of at most ``Key/maximumByteCount`` bytes.
///
/// Any character is allowed, including `/`, `:`, spaces and newlines, because
/// stores keep keys as opaque strings and never split them.
public struct Key: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let maximumByteCount = 1024

    public let string: String

    /// Validates `string` as a key.
    public init(_ string: String) throws(AftError) {
        let byteCount = string.utf8.count
        guard byteCount > 0 else {
            throw AftError(.invalidInput, "invalid key: the key is empty; give a key of 1 to \(Key.maximumByteCount) bytes")
        }
        guard byteCount <= Key.maximumByteCount else {
            throw AftError(.invalidInput, "invalid key: \(byteCount) bytes is longer than the maximum of \(Key.maximumByteCount); use a shorter key")
        }
        self.string = string
    }

    /// Validates raw bytes as a key, rejecting bytes that are not UTF-8.
    public init(bytes: [UInt8]) throws(AftError) {
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw AftError(.invalidInput, "invalid key \(Escaping.display(bytes)): keys must be valid UTF-8; re-encode the key as UTF-8")
        }
        try self.init(string)
    }

    /// Wraps a key read back from a store, which validated it on the way in.
    public init(trusted string: String) {
        self.string = string
    }

    public var description: String { Escaping.display(string) }

    /// Compares bytes, not characters: String equality treats "é" and "e" + U+0301 as
    /// one string, but stores keep keys byte for byte, so they are two keys.
    public static func == (lhs: Key, rhs: Key) -> Bool {
        lhs.string.utf8.elementsEqual(rhs.string.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        for byte in string.utf8 {
            hasher.combine(byte)
        }
    }

    public static func < (lhs: Key, rhs: Key) -> Bool {
        lhs.string.utf8.lexicographicallyPrecedes(rhs.string.utf8)
    }
}
