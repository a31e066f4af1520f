import AftEngine

/// Runs batches of commands against a single Redis server or a Redis Cluster.
///
/// A batch is pipelined. Its replies come back in the order of its commands, but in
/// a cluster its commands may run in any order across nodes, so a batch must hold
/// only commands that do not depend on each other. ``run(steps:)`` runs batches
/// whose order matters. Every call returns only after every command has finished,
/// on every node, so a store method built on one call is one finished protocol step.
protocol RedisClient: AnyObject {
    /// Runs `commands` and returns their replies in order; an error reply throws.
    func run(_ commands: [RedisCommand]) throws(AftError) -> [RedisReply]

    /// Runs each batch after the previous one has finished on every node.
    func run(steps: [[RedisCommand]]) throws(AftError) -> [[RedisReply]]

    /// Connections to every primary node, for commands that see only one node's keys, such as SCAN.
    func primaryConnections() throws(AftError) -> [RedisConnection]
}

/// A client for one Redis server over one connection.
final class RedisSingleClient: RedisClient {
    private let connection: RedisConnection

    init(address: RedisAddress, handshake: RedisHandshake) throws(AftError) {
        connection = try RedisConnection(address: address, handshake: handshake)
    }

    func run(_ commands: [RedisCommand]) throws(AftError) -> [RedisReply] {
        let replies = try connection.run(commands)
        try RedisSingleClient.throwFirstError(in: replies, of: commands, address: connection.address)
        return replies
    }

    /// Runs the steps in one pipeline, because one server runs a connection's commands in the order sent.
    func run(steps: [[RedisCommand]]) throws(AftError) -> [[RedisReply]] {
        let replies = try run(steps.flatMap { $0 })
        var result: [[RedisReply]] = []
        var start = 0
        for step in steps {
            result.append(Array(replies[start..<start + step.count]))
            start += step.count
        }
        return result
    }

    func primaryConnections() throws(AftError) -> [RedisConnection] {
        [connection]
    }

    static func throwFirstError(in replies: [RedisReply], of commands: [RedisCommand], address: RedisAddress) throws(AftError) {
        for (command, reply) in zip(commands, replies) {
            if case .error(let message) = reply {
                throw RedisServerError.aftError(message, command: command.name, address: address)
            }
        }
    }
}
