import AftEngine

/// Maps an error reply from a Redis server to the error aft reports.
///
/// The first word of an error reply is its code, such as `WRONGPASS`, `NOAUTH` or
/// `MOVED`. Messages name the server and the command but never its arguments, which carry
/// keys, values and, for AUTH, the password.
enum RedisServerError {
    static func aftError(_ message: String, command: String, address: RedisAddress) -> AftError {
        let code = message.prefix { $0 != " " }
        switch code {
        case "NOAUTH":
            return AftError(.authentication, "Redis at \(address) requires a password (NOAUTH); put it in the store URL as redis://[user]:PASSWORD@host:port or in \(RedisURL.passwordVariable)")
        case "WRONGPASS":
            return AftError(.authentication, "Redis at \(address) rejected the user name or password (WRONGPASS); check the store URL or \(RedisURL.passwordVariable)")
        case "NOPERM":
            return AftError(.authentication, "the Redis user has no permission to run \(command) at \(address) (NOPERM); grant it with ACL SETUSER or use another user")
        case "MOVED", "ASK":
            return AftError(.storeIO, "Redis at \(address) is a cluster node and redirected \(command) (\(code)); use a redis+cluster:// store URL")
        case "CLUSTERDOWN":
            return AftError(.unreachable, "the Redis cluster at \(address) is down (\(shortened(message))); retry once CLUSTER INFO reports cluster_state:ok")
        case "LOADING":
            return AftError(.unreachable, "Redis at \(address) is still loading its data set into memory; retry in a moment")
        case "OOM":
            return AftError(.storeIO, "Redis at \(address) is out of memory and rejected \(command) (OOM); raise maxmemory or free memory on the server")
        case "READONLY":
            return AftError(.storeIO, "Redis at \(address) is a read-only replica and rejected \(command); point the store URL at the primary")
        case "MISCONF":
            return AftError(.storeIO, "Redis at \(address) rejects writes because it cannot save its data (MISCONF); check the server log and its disk")
        default:
            return AftError(.storeIO, "Redis at \(address) failed \(command): \(shortened(message))")
        }
    }

    private static func shortened(_ message: String) -> String {
        let line = message.prefix { $0 != "\n" && $0 != "\r" }
        return line.count > 200 ? String(line.prefix(200)) + "…" : String(line)
    }
}
