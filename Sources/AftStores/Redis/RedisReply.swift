import AftEngine
import CHiredis

/// A RESP2 reply, copied out of hiredis's reply object.
enum RedisReply: Equatable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    case null
    case array([RedisReply])

    /// Copies a hiredis reply tree; the caller still frees `reply`.
    init(copying reply: UnsafePointer<redisReply>) {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_STATUS:
            self = .status(RedisReply.text(node.str, node.len))
        case REDIS_REPLY_ERROR:
            self = .error(RedisReply.text(node.str, node.len))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int64(node.integer))
        case REDIS_REPLY_STRING:
            self = .bulk(RedisReply.bytes(node.str, node.len))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(node.elements)
            for index in 0..<node.elements {
                if let element = node.element[index] {
                    elements.append(RedisReply(copying: element))
                } else {
                    elements.append(.null)
                }
            }
            self = .array(elements)
        default:
            self = .null
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    private static func text(_ pointer: UnsafeMutablePointer<CChar>?, _ count: Int) -> String {
        String(decoding: bytes(pointer, count), as: UTF8.self)
    }

    // MARK: Reading replies

    var bytes: [UInt8]? {
        if case .bulk(let bytes) = self { return bytes }
        return nil
    }

    /// The reply as text: a bulk string decoded as UTF-8, or a status line.
    var text: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk(let bytes): Int64(String(decoding: bytes, as: UTF8.self))
        default: nil
        }
    }

    var elements: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The elements of an array of bulk strings.
    var bulkElements: [[UInt8]]? {
        guard let elements else { return nil }
        var result: [[UInt8]] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            guard let bytes = element.bytes else { return nil }
            result.append(bytes)
        }
        return result
    }

    /// The fields of a hash, from the flat field-value array that HGETALL returns.
    var hashFields: [String: [UInt8]]? {
        guard let flat = bulkElements, flat.count % 2 == 0 else { return nil }
        var fields: [String: [UInt8]] = [:]
        for index in stride(from: 0, to: flat.count, by: 2) {
            fields[String(decoding: flat[index], as: UTF8.self)] = flat[index + 1]
        }
        return fields
    }
}
