import AftEngine

/// A Redis server address, shown as `host:port` (`[host]:port` for IPv6).
struct RedisAddress: Hashable, Sendable, CustomStringConvertible {
    let host: String
    let port: Int

    var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// A parsed store URL: `redis://[user:password@]host:port[/db][?prefix=…]` or
/// `redis+cluster://[user:password@]host:port[,host:port…][?prefix=…]`.
///
/// The user name and password are percent-decoded, so a password that contains
/// `@`, `/`, `?`, `:` or `%` must be percent-encoded in the URL. When the URL has
/// no password, `AFT_REDIS_PASSWORD` supplies it.
struct RedisURL: Sendable {
    static let defaultPort = 6379
    static let defaultPrefix = "aft:"
    static let passwordVariable = "AFT_REDIS_PASSWORD"
    static let singleForm = "redis://[user:password@]host:port[/db][?prefix=…]"
    static let clusterForm = "redis+cluster://[user:password@]host:port[,host:port…][?prefix=…]"

    /// True for `redis+cluster://`.
    var isCluster: Bool
    /// The server for `redis://`; the nodes to ask for the slot table for `redis+cluster://`.
    var addresses: [RedisAddress]
    var credentials: RedisCredentials?
    /// The logical database that SELECT picks; always 0 in a cluster.
    var database: Int
    /// The text in front of every Redis key the store uses.
    var prefix: String
    /// The URL as given, with the password replaced by `***`.
    var redacted: String

    init(parsing text: String, environment: [String: String]) throws(AftError) {
        let scheme: String
        if text.hasPrefix("redis+cluster://") {
            scheme = "redis+cluster://"
        } else if text.hasPrefix("redis://") {
            scheme = "redis://"
        } else {
            throw RedisURL.invalid(text, "the scheme must be redis:// or redis+cluster://")
        }
        isCluster = scheme == "redis+cluster://"
        let form = isCluster ? RedisURL.clusterForm : RedisURL.singleForm
        let remainder = text.dropFirst(scheme.count)

        // The authority ends at the first "/" or "?", as in RFC 3986, and the user
        // information ends at the last "@" inside it.
        let authorityEnd = remainder.firstIndex { $0 == "/" || $0 == "?" } ?? remainder.endIndex
        let authority = remainder[..<authorityEnd]
        var afterAuthority = remainder[authorityEnd...]
        let hostList: Substring
        if let at = authority.lastIndex(of: "@") {
            hostList = authority[authority.index(after: at)...]
            let redactedUserInfo: String
            (credentials, redactedUserInfo) = try RedisURL.parseUserInfo(authority[..<at], form: form)
            redacted = scheme + redactedUserInfo + "@" + remainder[hostList.startIndex...]
        } else {
            hostList = authority
            credentials = nil
            redacted = text
        }

        addresses = []
        for entry in hostList.split(separator: ",", omittingEmptySubsequences: false) {
            addresses.append(try RedisURL.parseAddress(entry, url: text, form: form))
        }
        if !isCluster && addresses.count > 1 {
            throw RedisURL.invalid(text, "redis:// names one server; use \(RedisURL.clusterForm) for a cluster")
        }

        (database, afterAuthority) = try RedisURL.parseDatabase(afterAuthority, url: text, form: form)
        if isCluster && database != 0 {
            throw RedisURL.invalid(text, "Redis Cluster has only database 0; remove the /\(database)")
        }

        prefix = RedisURL.defaultPrefix
        if afterAuthority.hasPrefix("?") {
            prefix = try RedisURL.parseQuery(afterAuthority.dropFirst(), url: text)
        }

        if credentials?.password == nil, let password = environment[RedisURL.passwordVariable], !password.isEmpty {
            credentials = RedisCredentials(user: credentials?.user, password: password)
        }
    }

    /// Splits `user:password`, `:password` or `user`; returns the credentials and the
    /// user information to show in messages, with the password replaced by `***`.
    private static func parseUserInfo(_ userInfo: Substring, form: String) throws(AftError) -> (RedisCredentials?, String) {
        let rawUser: Substring
        var rawPassword: Substring = ""
        if let colon = userInfo.firstIndex(of: ":") {
            rawUser = userInfo[..<colon]
            rawPassword = userInfo[userInfo.index(after: colon)...]
        } else {
            rawUser = userInfo
        }

        // The decoding error names no part of the user information, which may hold the password.
        guard let user = percentDecoded(rawUser), let password = percentDecoded(rawPassword) else {
            throw AftError(.usage, "invalid Redis store URL: the user name or password has a bad percent escape; write each escaped byte as % and two hexadecimal digits, as in \(form)")
        }
        let redactedUserInfo = password.isEmpty ? String(rawUser) : rawUser + ":***"
        guard !user.isEmpty || !password.isEmpty else { return (nil, redactedUserInfo) }
        let credentials = RedisCredentials(user: user.isEmpty ? nil : user, password: password.isEmpty ? nil : password)
        return (credentials, redactedUserInfo)
    }

    /// Reads `/db` at the start of `path`; returns the database, 0 when absent, and the text after it.
    private static func parseDatabase(_ path: Substring, url: String, form: String) throws(AftError) -> (Int, Substring) {
        guard path.hasPrefix("/") else { return (0, path) }
        let end = path.firstIndex(of: "?") ?? path.endIndex
        let digits = path[path.index(after: path.startIndex)..<end]
        guard !digits.isEmpty else { return (0, path[end...]) }
        guard digits.allSatisfy(\.isASCII), let number = Int(digits), number >= 0 else {
            throw invalid(url, "the database after the host must be a number such as 0; write \(form)")
        }
        return (number, path[end...])
    }

    private static func parseAddress(_ entry: Substring, url: String, form: String) throws(AftError) -> RedisAddress {
        let host: Substring
        var portText: Substring?
        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]") else {
                throw invalid(url, "an IPv6 host must be written in brackets, as in [::1]:6379")
            }
            host = entry[entry.index(after: entry.startIndex)..<close]
            let rest = entry[entry.index(after: close)...]
            if rest.hasPrefix(":") {
                portText = rest.dropFirst()
            } else if !rest.isEmpty {
                throw invalid(url, "expected :PORT after the bracketed host")
            }
        } else if let colon = entry.lastIndex(of: ":") {
            host = entry[..<colon]
            portText = entry[entry.index(after: colon)...]
        } else {
            host = entry
        }
        guard !host.isEmpty else {
            throw invalid(url, "a host is missing; write \(form)")
        }
        var port = defaultPort
        if let portText {
            guard portText.allSatisfy(\.isASCII), let number = Int(portText), (1...65535).contains(number) else {
                throw invalid(url, "the port must be a number from 1 to 65535")
            }
            port = number
        }
        return RedisAddress(host: String(host), port: port)
    }

    /// Returns the key prefix from the query, the only parameter a Redis store URL takes.
    private static func parseQuery(_ query: Substring, url: String) throws(AftError) -> String {
        var prefix: String?
        for parameter in query.split(separator: "&") {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts[0] == "prefix" else {
                throw invalid(url, "unknown parameter \(Escaping.quoted(String(parts[0]))); the only parameter is prefix=TEXT")
            }
            guard prefix == nil else {
                throw invalid(url, "prefix= is given twice; give it once")
            }
            guard let decoded = percentDecoded(parts.count == 2 ? parts[1] : "") else {
                throw invalid(url, "the prefix has a bad percent escape; write each escaped byte as % and two hexadecimal digits")
            }
            guard hasWholeHashTagOrNone(decoded) else {
                throw invalid(url, "a prefix with \"{\" must contain a whole hash tag such as {app}, with a \"}\" after it and text between, so that every key of the store hashes the way aft expects")
            }
            prefix = decoded
        }
        return prefix ?? defaultPrefix
    }

    /// True when the prefix has no `{`, or when its first `{` has a later `}` with
    /// bytes between. Any other `{` would join with the braces aft puts around user
    /// keys into a hash tag that differs between a key's index and its time hash,
    /// and the script that writes both would fail in a cluster with CROSSSLOT.
    static func hasWholeHashTagOrNone(_ prefix: String) -> Bool {
        let bytes = Array(prefix.utf8)
        guard let open = bytes.firstIndex(of: UInt8(ascii: "{")) else { return true }
        guard let close = bytes[(open + 1)...].firstIndex(of: UInt8(ascii: "}")) else { return false }
        return close > open + 1
    }

    /// Decodes `%XX` escapes; returns nil for a malformed escape or bytes that are not UTF-8.
    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Makes the usage error for a malformed URL. The URL is quoted only when it has
    /// no "@", because text before an "@" may be a password.
    private static func invalid(_ url: String, _ reason: String) -> AftError {
        let quotedURL = url.contains("@") ? "" : " \(Escaping.quoted(url))"
        return AftError(.usage, "invalid Redis store URL\(quotedURL): \(reason)")
    }
}

/// The user name and password that AUTH sends; never shown in a message.
struct RedisCredentials: Sendable, Equatable {
    /// The ACL user; nil sends `AUTH password`, which authenticates the default user.
    var user: String?
    var password: String?
}
