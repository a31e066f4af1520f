import AftEngine
import CSQLite
import FoundationEssentials
import Glibc

/// The embedded store: one SQLite file in WAL mode, shared safely by many aft processes.
///
/// Every method is one step of the protocol and at most one SQLite transaction, so
/// a crash between two calls leaves each finished call durable.
public final class SQLiteStore: Store {
    /// How long a call waits for another process's write lock before failing.
    public static let busyTimeoutMilliseconds: Int32 = 10_000

    public let path: String
    let connection: SQLiteConnection

    /// Opens the store at `path`, creating and initialising the file when it is new or empty.
    ///
    /// - Parameter durable: when false, commits skip the fsync that makes them survive power loss.
    public init(path: String, durable: Bool = true) throws(AftError) {
        self.path = path
        try SQLiteStore.checkPath(path)
        connection = try SQLiteConnection(path: path, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX)
        guard !connection.isReadOnly else {
            throw AftError(.unreachable, "SQLite store \(Escaping.quoted(path)) is read-only; make the file and its directory writable")
        }
        connection.setBusyTimeout(milliseconds: SQLiteStore.busyTimeoutMilliseconds)
        try prepare(durable: durable)
    }

    public var location: String { "sqlite:\(path)" }

    /// Rejects paths SQLite would fail on with a vague message.
    private static func checkPath(_ path: String) throws(AftError) {
        if Paths.kind(of: path) == .directory {
            throw AftError(.unreachable, "store path \(Escaping.quoted(path)) is a directory; give a file path such as \(Escaping.quoted(Paths.join(path, "aft.db")))")
        }
        let directory = Paths.parent(of: path)
        if Paths.kind(of: directory) != .directory {
            throw AftError(.unreachable, "directory \(Escaping.quoted(directory)) of store \(Escaping.quoted(path)) does not exist; create it first")
        }
    }

    /// Checks that the file is an aft store, or initialises it when it holds no tables.
    private func prepare(durable: Bool) throws(AftError) {
        let tables = try connection.query("SELECT name FROM sqlite_master WHERE type = 'table'")
        if tables.isEmpty {
            try initialise()
        } else {
            try checkFormat(tables: tables.compactMap { $0.first?.text })
        }
        // WAL lets readers run beside one writer; the mode is stored in the file.
        try connection.execute("PRAGMA journal_mode = WAL")
        // In WAL mode, FULL syncs the log at every commit, so an acknowledged commit survives power loss.
        try connection.execute(durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
        connection.keepWriteAheadLogOnClose()
    }

    private func initialise() throws(AftError) {
        try connection.writeTransaction { () throws(AftError) in
            // Another process may have initialised the file while this one waited for the lock.
            let tables = try connection.query("SELECT name FROM sqlite_master WHERE type = 'table'")
            guard tables.isEmpty else { return }
            try connection.execute(SQLiteSchema.create)
        }
    }

    private func checkFormat(tables: [String]) throws(AftError) {
        let notAftStore = AftError(.storeIO, "\(Escaping.quoted(path)) is an SQLite database but not an aft store; point --store at an aft store or at a new file")
        guard tables.contains("aft_meta") else { throw notAftStore }
        let rows = try connection.query("SELECT name, value FROM aft_meta")
        let meta = Dictionary(rows.compactMap { row in row[0].text.flatMap { name in row[1].text.map { (name, $0) } } }, uniquingKeysWith: { first, _ in first })
        guard meta["format"] == SQLiteSchema.format else { throw notAftStore }
        guard meta["schema_version"] == SQLiteSchema.version else {
            throw AftError(.storeIO, "aft store \(Escaping.quoted(path)) has schema version \(meta["schema_version"] ?? "none"), but this aft reads version \(SQLiteSchema.version); use a matching aft")
        }
    }

    // MARK: Versions

    public func writeVersions(_ versions: [Version]) throws(AftError) {
        guard !versions.isEmpty else { return }
        let now = StampClock.now()
        try connection.writeTransaction { () throws(AftError) in
            for version in versions {
                let (tombstone, value): (Int64, SQLiteValue) = switch version.contents {
                case .value(let bytes): (0, .blob(bytes))
                case .tombstone: (1, .null)
                }
                try connection.query(
                    "INSERT OR REPLACE INTO versions (key, txid, tombstone, value, written_at) VALUES (?, ?, ?, ?, ?)",
                    [.text(version.id.key.string), .text(version.id.transaction.hex), .integer(tombstone), value, .integer(now)])
            }
        }
    }

    public func readVersions(_ ids: [VersionID]) throws(AftError) -> [VersionID: VersionValue] {
        var found: [VersionID: VersionValue] = [:]
        for id in ids {
            let rows = try connection.query(
                "SELECT tombstone, value FROM versions WHERE key = ? AND txid = ?",
                [.text(id.key.string), .text(id.transaction.hex)])
            guard let row = rows.first else { continue }
            found[id] = row[0].integer == 1 ? .tombstone : .value(row[1].blob ?? [])
        }
        return found
    }

    public func deleteVersions(_ ids: [VersionID]) throws(AftError) {
        guard !ids.isEmpty else { return }
        try connection.writeTransaction { () throws(AftError) in
            for id in ids {
                try connection.query("DELETE FROM versions WHERE key = ? AND txid = ?", [.text(id.key.string), .text(id.transaction.hex)])
            }
        }
    }
}
