import AftEngine

/// Hash slots of Redis Cluster: `CRC16(key) mod 16384`, where CRC16 is the XMODEM
/// variant (polynomial 0x1021, initial value 0). A key that contains `{…}` with at
/// least one byte between the first `{` and the next `}` hashes only those bytes.
/// The tests compare these slots with CLUSTER KEYSLOT of a real server.
enum RedisHashSlot {
    static let count = 16384

    static func slot(of key: [UInt8]) -> Int {
        Int(crc16(hashedPart(of: key)) % UInt16(count))
    }

    /// Returns the bytes that decide the slot: the hash tag when there is one, else the whole key.
    static func hashedPart(of key: [UInt8]) -> ArraySlice<UInt8> {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")),
              let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")),
              close > open + 1
        else { return key[...] }
        return key[(open + 1)..<close]
    }

    static func crc16(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int((crc >> 8) ^ UInt16(byte))]
        }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }
}

/// Slot table: the primary node that serves each hash slot, from CLUSTER SLOTS.
struct RedisSlotTable {
    /// Index into ``primaries`` for each slot; nil where no node serves the slot.
    private var owners: [Int?]
    private(set) var primaries: [RedisAddress]

    init() {
        owners = Array(repeating: nil, count: RedisHashSlot.count)
        primaries = []
    }

    var isEmpty: Bool { primaries.isEmpty }

    func owner(of slot: Int) -> RedisAddress? {
        owners[slot].map { primaries[$0] }
    }

    /// Records a MOVED redirect: `address` now serves `slot`.
    mutating func assign(_ slot: Int, to address: RedisAddress) {
        owners[slot] = index(of: address)
    }

    /// Parses a CLUSTER SLOTS reply: one entry per slot range, each
    /// `[start, end, [host, port, node id, …], replica…]`.
    ///
    /// A node that does not know its own address reports an empty, null or `?`
    /// host, so aft uses the host it sent CLUSTER SLOTS to, with the reported port.
    init(parsing reply: RedisReply, from source: RedisAddress) throws(AftError) {
        self.init()
        let malformed = AftError(.storeIO, "Redis at \(source) sent a CLUSTER SLOTS reply that aft cannot read; check that it is a Redis Cluster node of version 3 or later")
        guard let ranges = reply.elements else { throw malformed }
        for range in ranges {
            guard let fields = range.elements, fields.count >= 3,
                  let start = fields[0].integer, let end = fields[1].integer,
                  0 <= start, start <= end, end < RedisHashSlot.count,
                  let primary = fields[2].elements, primary.count >= 2,
                  let port = primary[1].integer
            else { throw malformed }
            let host = primary[0].text ?? ""
            let address = host.isEmpty || host == "?" ? RedisAddress(host: source.host, port: Int(port)) : RedisAddress(host: host, port: Int(port))
            let ownerIndex = index(of: address)
            for slot in Int(start)...Int(end) {
                owners[slot] = ownerIndex
            }
        }
    }

    private mutating func index(of address: RedisAddress) -> Int {
        if let existing = primaries.firstIndex(of: address) { return existing }
        primaries.append(address)
        return primaries.count - 1
    }
}

/// A MOVED or ASK error reply, which names the node that serves a slot.
struct RedisRedirect: Equatable {
    enum Kind {
        /// The slot has moved for good; later commands for it go to the new node.
        case moved
        /// The slot is migrating; only this command goes to the new node, after ASKING.
        case ask
    }

    let kind: Kind
    let slot: Int
    let address: RedisAddress

    /// Parses `MOVED 3999 127.0.0.1:6381` or `ASK 3999 127.0.0.1:6381`; nil for any other error.
    ///
    /// The port follows the last colon, so an IPv6 host keeps its colons. An empty
    /// host means the node that sent the redirect.
    init?(_ message: String, from source: RedisAddress) {
        let words = message.split(separator: " ")
        guard words.count == 3, let slot = Int(words[1]), (0..<RedisHashSlot.count).contains(slot),
              let colon = words[2].lastIndex(of: ":"), let port = Int(words[2][words[2].index(after: colon)...])
        else { return nil }
        switch words[0] {
        case "MOVED": kind = .moved
        case "ASK": kind = .ask
        default: return nil
        }
        self.slot = slot
        var host = Substring(words[2][..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = host.dropFirst().dropLast()
        }
        address = RedisAddress(host: host.isEmpty ? source.host : String(host), port: port)
    }
}
