import AftEngine

/// Names of the Redis keys of one aft store and the text forms stored in them.
///
/// With the default prefix `aft:`:
/// - `aft:v:{KEY}:TXID`: hash, one version, fields `tombstone` (`0` or `1`),
///   `value` (bytes; empty for a tombstone) and `written_at`;
/// - `aft:i:{KEY}`: sorted set, the version index of one key, members `TIMESTAMP.TXID`;
/// - `aft:i:{KEY}:at`: hash from each index member to the time it was indexed;
/// - `aft:t:TXID`: hash, one transaction record, one field per record column;
/// - `aft:log`: sorted set, the commit log, members `TIMESTAMP.TXID`;
/// - `aft:keys`: sorted set of the keys that have had index entries, members the key's bytes;
/// - `aft:ids`: sorted set of transaction ids, members the id;
/// - `aft:versions`: sorted set of stored versions, members from ``versionMember(_:)``.
///
/// KEY is the user key with `%`, `{` and `}` percent-encoded, so the hash tag
/// `{KEY}` contains the whole key whatever characters it has, and a key's versions and index
/// share one cluster slot. Every sorted set has score 0 for all members, so it is
/// ordered by member bytes and read with ZRANGEBYLEX. Scores are doubles, which
/// cannot hold nanosecond timestamps exactly, so ordering by member is the only
/// exact order. Times are nanoseconds since the Unix epoch as decimal text.
struct RedisLayout {
    let prefix: [UInt8]

    init(prefix: String) {
        self.prefix = Array(prefix.utf8)
    }

    func version(_ id: VersionID) -> [UInt8] {
        prefix + Array("v:".utf8) + RedisLayout.hashTag(id.key) + Array(":\(id.transaction.hex)".utf8)
    }

    func index(_ key: Key) -> [UInt8] {
        prefix + Array("i:".utf8) + RedisLayout.hashTag(key)
    }

    /// Names the hash of index times, which shares the slot of ``index(_:)`` so that one script can update both.
    func indexTimes(_ key: Key) -> [UInt8] {
        index(key) + Array(":at".utf8)
    }

    func record(_ id: TransactionID) -> [UInt8] {
        prefix + Array("t:\(id.hex)".utf8)
    }

    var log: [UInt8] { prefix + Array("log".utf8) }
    var keys: [UInt8] { prefix + Array("keys".utf8) }
    var ids: [UInt8] { prefix + Array("ids".utf8) }
    var versions: [UInt8] { prefix + Array("versions".utf8) }

    /// A SCAN pattern that matches every version key of this store and nothing else.
    var versionPattern: [UInt8] {
        RedisLayout.globEscaped(prefix) + Array("v:*".utf8)
    }

    /// `{KEY}` with `%`, `{` and `}` percent-encoded, so no key can end the tag early.
    static func hashTag(_ key: Key) -> [UInt8] {
        var tag: [UInt8] = [UInt8(ascii: "{")]
        for byte in key.string.utf8 {
            switch byte {
            case UInt8(ascii: "%"): tag += Array("%25".utf8)
            case UInt8(ascii: "{"): tag += Array("%7B".utf8)
            case UInt8(ascii: "}"): tag += Array("%7D".utf8)
            default: tag.append(byte)
            }
        }
        tag.append(UInt8(ascii: "}"))
        return tag
    }

    /// Escapes the characters that are special in a Redis glob pattern.
    static func globEscaped(_ bytes: [UInt8]) -> [UInt8] {
        var escaped: [UInt8] = []
        for byte in bytes {
            if "*?[]\\^".utf8.contains(byte) { escaped.append(UInt8(ascii: "\\")) }
            escaped.append(byte)
        }
        return escaped
    }

    // MARK: Members

    /// The member of the version set: the key with each 0x00 byte written as 0x00 0xFF,
    /// then 0x00 0x00, then the transaction id. Byte order of members is then the
    /// order of (key bytes, id), even for keys that contain 0x00 or are prefixes of others.
    static func versionMember(_ id: VersionID) -> [UInt8] {
        var member: [UInt8] = []
        for byte in id.key.string.utf8 {
            member.append(byte)
            if byte == 0 { member.append(0xFF) }
        }
        member += [0, 0]
        member += Array(id.transaction.hex.utf8)
        return member
    }

    /// Parses a version-set member; nil when it is not in the form ``versionMember(_:)`` writes.
    static func versionID(fromMember member: [UInt8]) -> VersionID? {
        var keyBytes: [UInt8] = []
        var position = 0
        while position + 1 < member.count {
            let byte = member[position]
            if byte == 0 {
                if member[position + 1] == 0 { break }
                guard member[position + 1] == 0xFF else { return nil }
                position += 1
            }
            keyBytes.append(byte)
            position += 1
        }
        let idStart = position + 2
        guard idStart + 32 == member.count,
              let key = String(validating: keyBytes, as: UTF8.self),
              let transaction = TransactionID(hex: String(decoding: member[idStart...], as: UTF8.self))
        else { return nil }
        return VersionID(key: Key(trusted: key), transaction: transaction)
    }

    /// Digits of the timestamp in a stamp member, enough for every non-negative Int64.
    static let timestampDigits = 20

    /// Encodes a stamp as the member `TIMESTAMP.TXID`, with the timestamp zero-padded
    /// to 20 digits so that the byte order of members is the order of stamps.
    static func member(_ stamp: CommitStamp) throws(AftError) -> [UInt8] {
        // NOTE: Stamps are nanoseconds since 1970, so only a clock set before the epoch
        // makes a negative one. The padded form cannot order it, so it is rejected.
        guard stamp.timestamp >= 0 else {
            throw AftError(.invalidInput, "commit stamp \(stamp.text) is before 1970; the Redis store keeps only stamps from 1970 on, so check the system clock")
        }
        let digits = String(stamp.timestamp)
        return Array((String(repeating: "0", count: timestampDigits - digits.count) + digits + "." + stamp.transaction.hex).utf8)
    }

    /// Parses a stamp member; nil when it is not `TIMESTAMP.TXID`.
    static func stamp(fromMember member: [UInt8]) -> CommitStamp? {
        guard member.count == timestampDigits + 1 + 32, member[timestampDigits] == UInt8(ascii: ".") else { return nil }
        return CommitStamp(text: String(decoding: member, as: UTF8.self))
    }

    /// Returns a ZRANGEBYLEX bound that excludes `member` itself.
    static func exclusive(_ member: [UInt8]) -> [UInt8] {
        [UInt8(ascii: "(")] + member
    }

    static func inclusive(_ member: [UInt8]) -> [UInt8] {
        [UInt8(ascii: "[")] + member
    }
}
