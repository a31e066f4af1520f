import AftEngine
import CHiredis
import Glibc

/// Credentials and database that a connection sends with AUTH and SELECT right after connecting.
struct RedisHandshake: Sendable {
    var credentials: RedisCredentials?
    /// The database SELECT picks; 0 sends no SELECT.
    var database: Int
}

/// One blocking hiredis connection to one Redis server.
///
/// A hiredis context is not thread-safe, so a connection belongs to one thread at a
/// time, like the store that owns it. The class is deliberately not Sendable.
///
/// When the server goes away, the context is freed and the next call connects again.
/// A call that finds the link broken reconnects once and resends its commands. When
/// that fails too, the call throws.
final class RedisConnection {
    static let connectTimeout = timeval(tv_sec: 5, tv_usec: 0)
    /// Long enough for a pipeline carrying several values of the 64 MiB maximum.
    static let commandTimeout = timeval(tv_sec: 60, tv_usec: 0)

    let address: RedisAddress
    private let handshake: RedisHandshake
    private var context: UnsafeMutablePointer<redisContext>?
    /// How often this connection was re-established after a broken link.
    private(set) var reconnectCount = 0

    /// Connects and authenticates at once, so that a wrong address or password fails when the store opens.
    init(address: RedisAddress, handshake: RedisHandshake) throws(AftError) {
        self.address = address
        self.handshake = handshake
        try connect()
    }

    deinit {
        if let context { redisFree(context) }
    }

    // MARK: Running commands

    /// Sends `commands` in one pipeline and returns their replies in order.
    ///
    /// Error replies are returned, not thrown; only a connection failure throws.
    /// Commands may be sent twice when the link breaks after the server ran them
    /// but before its replies arrived, so every command must be safe to repeat.
    func run(_ commands: [RedisCommand]) throws(AftError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        if context == nil {
            try connect()
            return try exchange(commands)
        }
        do {
            return try exchange(commands)
        } catch {
            try reconnect()
            return try exchange(commands)
        }
    }

    /// Sends `commands` without waiting for replies; ``receive(_:)`` collects them.
    ///
    /// A cluster sends to every node first and then reads, so the nodes work in
    /// parallel. On failure the context is closed; ``run(_:)`` then reconnects.
    func send(_ commands: [RedisCommand]) throws(AftError) {
        let context = try openContext()
        var guardState = aft_sigpipe_guard()
        aft_sigpipe_block(&guardState)
        defer { aft_sigpipe_restore(&guardState) }

        for command in commands {
            try append(command, to: context)
        }
        var done: Int32 = 0
        while done == 0 {
            guard redisBufferWrite(context, &done) == REDIS_OK else { throw linkFailure(context) }
        }
    }

    /// Reads `count` replies to commands sent earlier.
    func receive(_ count: Int) throws(AftError) -> [RedisReply] {
        let context = try openContext()
        var guardState = aft_sigpipe_guard()
        aft_sigpipe_block(&guardState)
        defer { aft_sigpipe_restore(&guardState) }

        var replies: [RedisReply] = []
        replies.reserveCapacity(count)
        for _ in 0..<count {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw linkFailure(context) }
            replies.append(RedisReply(copying: raw.assumingMemoryBound(to: redisReply.self)))
            freeReplyObject(raw)
        }
        return replies
    }

    /// Closes the link and connects again; counts as the one reconnect of a call.
    func reconnect() throws(AftError) {
        close()
        reconnectCount += 1
        try connect()
    }

    // MARK: Connecting

    private func connect() throws(AftError) {
        guard let opened = redisConnectWithTimeout(address.host, Int32(address.port), RedisConnection.connectTimeout) else {
            throw AftError(.unreachable, "cannot connect to Redis at \(address): hiredis could not allocate a context; free memory and retry")
        }
        guard opened.pointee.err == 0 else {
            let reason = RedisConnection.errorText(opened)
            redisFree(opened)
            throw AftError(.unreachable, "cannot connect to Redis at \(address): \(reason); check that redis-server runs there and that the store URL names the right host and port")
        }
        guard redisSetTimeout(opened, RedisConnection.commandTimeout) == REDIS_OK else {
            let reason = RedisConnection.errorText(opened)
            redisFree(opened)
            throw AftError(.unreachable, "cannot set the command timeout on the connection to Redis at \(address): \(reason)")
        }
        // Child processes, such as the command that `aft run` starts, must not inherit the socket.
        _ = fcntl(opened.pointee.fd, F_SETFD, FD_CLOEXEC)
        context = opened

        do {
            try authenticateAndSelect()
        } catch {
            close()
            throw error
        }
    }

    private func authenticateAndSelect() throws(AftError) {
        var commands: [RedisCommand] = []
        if let password = handshake.credentials?.password {
            if let user = handshake.credentials?.user {
                commands.append(RedisCommand("AUTH", key: nil, user, password))
            } else {
                commands.append(RedisCommand("AUTH", key: nil, password))
            }
        }
        if handshake.database != 0 {
            commands.append(RedisCommand("SELECT", key: nil, handshake.database))
        }
        let replies = try exchange(commands)

        for (command, reply) in zip(commands, replies) {
            guard case .error(let message) = reply else { continue }
            let code = message.prefix { $0 != " " }
            if command.name == "AUTH" {
                // Only the reply's code is shown, because servers before 6.0 reply "ERR invalid
                // password" and no AUTH reply needs more to explain the failure.
                throw AftError(.authentication, "Redis at \(address) rejected the credentials (\(code)); check the user name and password in the store URL or \(RedisURL.passwordVariable)")
            }
            if code == "NOAUTH" || code == "NOPERM" {
                throw RedisServerError.aftError(message, command: command.name, address: address)
            }
            throw AftError(.usage, "Redis at \(address) has no database \(handshake.database) (\(message)); use a database number the server accepts, such as /0")
        }
    }

    // MARK: hiredis calls

    private func exchange(_ commands: [RedisCommand]) throws(AftError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        try send(commands)
        return try receive(commands.count)
    }

    private func openContext() throws(AftError) -> UnsafeMutablePointer<redisContext> {
        guard let context else {
            throw AftError(.unreachable, "the connection to Redis at \(address) is closed; retry the command")
        }
        return context
    }

    /// Appends one command to the output buffer. The arguments are joined into one
    /// buffer so that every argument pointer stays valid during the call; hiredis
    /// copies them before returning.
    private func append(_ command: RedisCommand, to context: UnsafeMutablePointer<redisContext>) throws(AftError) {
        var joined: [UInt8] = []
        joined.reserveCapacity(command.arguments.reduce(0) { $0 + $1.count })
        var offsets: [Int] = []
        var lengths: [Int] = []
        for argument in command.arguments {
            offsets.append(joined.count)
            lengths.append(argument.count)
            joined.append(contentsOf: argument)
        }
        // A trailing byte gives every argument, even an empty last one, an address inside the buffer.
        joined.append(0)

        let code = joined.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var pointers: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
            return pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { argvLengths in
                    redisAppendCommandArgv(context, Int32(command.arguments.count), argv.baseAddress, argvLengths.baseAddress)
                }
            }
        }
        guard code == REDIS_OK else { throw linkFailure(context) }
    }

    /// Closes a context that hiredis marked as failed and describes the failure.
    private func linkFailure(_ failed: UnsafeMutablePointer<redisContext>) -> AftError {
        let reason = RedisConnection.errorText(failed)
        close()
        return AftError(.unreachable, "lost the connection to Redis at \(address): \(reason); check that redis-server runs there, then retry")
    }

    private func close() {
        if let context { redisFree(context) }
        context = nil
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        let text = withUnsafeBytes(of: context.pointee.errstr) { buffer in
            String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
        }
        if !text.isEmpty { return text }
        return context.pointee.err == REDIS_ERR_EOF ? "the server closed the connection" : "error \(context.pointee.err)"
    }
}
