import AftEngine
import FoundationEssentials
import Glibc

/// A parsed store URL: `sqlite:PATH` or a bare path, `memory:`, `redis://…`, `redis+cluster://…`.
public enum StoreLocation: Equatable, Sendable {
    case sqlite(path: String)
    case memory
    case redis(url: String)
    case redisCluster(url: String)

    public static let forms = "sqlite:PATH (or a bare path), memory:, redis://[user:password@]host:port[/db][?prefix=…], redis+cluster://host:port[,host:port…]"

    public init(parsing text: String) throws(AftError) {
        if text == "memory:" {
            self = .memory
        } else if text.hasPrefix("memory:") {
            throw AftError(.usage, "store URL \(Escaping.quoted(text)) has text after memory:; the memory store takes no name, so write memory:")
        } else if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else {
                throw AftError(.usage, "store URL \(Escaping.quoted(text)) has no path; write sqlite:PATH")
            }
            self = .sqlite(path: path)
        } else if text.hasPrefix("redis://") {
            // Parsing here turns a malformed URL into a usage error before anything connects.
            _ = try RedisURL(parsing: text, environment: [:])
            self = .redis(url: text)
        } else if text.hasPrefix("redis+cluster://") {
            _ = try RedisURL(parsing: text, environment: [:])
            self = .redisCluster(url: text)
        } else if let colon = text.firstIndex(of: ":"), !text[..<colon].contains("/"),
                  text[..<colon].allSatisfy({ $0.isLetter || $0 == "+" }), text[..<colon].count > 1 {
            throw AftError(.usage, "unknown store scheme \(Escaping.quoted(String(text[..<colon]) + ":")); use one of \(StoreLocation.forms)")
        } else if text.isEmpty {
            throw AftError(.usage, "empty store URL; use one of \(StoreLocation.forms)")
        } else {
            self = .sqlite(path: text)
        }
    }

    /// Returns the store from `$AFT_STORE`, else the SQLite file `$XDG_DATA_HOME/aft/aft.db`
    /// (`~/.local/share/aft/aft.db` when XDG_DATA_HOME is unset).
    public static func defaultLocation(environment: [String: String]) throws(AftError) -> StoreLocation {
        if let configured = environment["AFT_STORE"], !configured.isEmpty {
            return try StoreLocation(parsing: configured)
        }
        return .sqlite(path: defaultSQLitePath(environment: environment))
    }

    public static func defaultSQLitePath(environment: [String: String]) -> String {
        let dataHome: String
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            dataHome = xdg
        } else {
            let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
            dataHome = Paths.join(home, ".local/share")
        }
        return Paths.join(dataHome, "aft/aft.db")
    }

    /// Opens the store; `createDirectory` makes the parent folder of a SQLite file first.
    public func open(createDirectory: Bool = false) throws(AftError) -> any Store {
        switch self {
        case .memory:
            return MemoryStore()
        case .sqlite(let path):
            if createDirectory {
                let directory = Paths.parent(of: path)
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                } catch {
                    throw AftError(.unreachable, "cannot create directory \(Escaping.quoted(directory)) for the default store: \(error); set AFT_STORE or --store to a writable path")
                }
            }
            return try SQLiteStore(path: path)
        case .redis(let url), .redisCluster(let url):
            return try RedisStore(url: url)
        }
    }
}
