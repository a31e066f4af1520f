/// One Redis command as binary-safe arguments, with the key that routes it in a cluster.
struct RedisCommand {
    /// The command name followed by its arguments, each sent as exact bytes.
    var arguments: [[UInt8]]
    /// The key whose hash slot picks the cluster node; nil for a command without keys.
    var routingKey: [UInt8]?

    init(_ name: String, key: [UInt8]?, _ arguments: any RedisArgument...) {
        self.arguments = [Array(name.utf8)] + (key.map { [$0] } ?? []) + arguments.map(\.redisBytes)
        self.routingKey = key
    }

    /// Creates a command whose key is not its first argument, such as EVAL.
    init(arguments: [[UInt8]], routingKey: [UInt8]?) {
        self.arguments = arguments
        self.routingKey = routingKey
    }

    /// The command name, for messages; arguments are never shown because they hold user data.
    var name: String {
        String(decoding: arguments.first ?? [], as: UTF8.self)
    }
}

/// A value that can be a Redis command argument.
protocol RedisArgument {
    var redisBytes: [UInt8] { get }
}

extension String: RedisArgument {
    var redisBytes: [UInt8] { Array(utf8) }
}

extension Array: RedisArgument where Element == UInt8 {
    var redisBytes: [UInt8] { self }
}

extension Int: RedisArgument {
    var redisBytes: [UInt8] { Array(String(self).utf8) }
}
