import AftEngine
import CSQLite

/// An open SQLite database handle with a cache of prepared statements.
///
/// The handle is opened with SQLITE_OPEN_NOMUTEX, so one connection must be used by
/// one thread at a time; the class is deliberately not Sendable.
final class SQLiteConnection {
    let path: String
    private let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]

    init(path: String, flags: Int32) throws(AftError) {
        self.path = path
        var opened: OpaquePointer?
        let code = sqlite3_open_v2(path, &opened, flags, nil)
        guard code == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            // "Whether or not an error occurs when it is opened, resources associated
            // with the database connection handle should be released" (sqlite.org/c3ref/open.html).
            sqlite3_close_v2(opened)
            throw AftError(.unreachable, "cannot open SQLite store \(Escaping.quoted(path)): \(message); check the path and its permissions")
        }
        handle = opened
        sqlite3_extended_result_codes(handle, 1)
    }

    deinit {
        for statement in statements.values {
            sqlite3_finalize(statement)
        }
        sqlite3_close_v2(handle)
    }

    var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE.
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// Keeps the WAL and shared-memory files when the connection closes, and skips the
    /// checkpoint on close, so a one-shot command neither rewrites nor deletes them.
    /// Writers still checkpoint automatically once the log passes 1000 pages.
    func keepWriteAheadLogOnClose() {
        var persist: Int32 = 1
        sqlite3_file_control(handle, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
        aft_sqlite_disable_checkpoint_on_close(handle)
    }

    func setBusyTimeout(milliseconds: Int32) {
        sqlite3_busy_timeout(handle, milliseconds)
    }

    /// Runs SQL that returns no rows, possibly several statements.
    func execute(_ sql: String) throws(AftError) {
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw error(code, sql: sql) }
    }

    /// Runs one statement with bound parameters and returns every row.
    @discardableResult
    func query(_ sql: String, _ parameters: [SQLiteValue] = []) throws(AftError) -> [[SQLiteValue]] {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(parameters, to: statement, sql: sql)

        var rows: [[SQLiteValue]] = []
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw error(code, sql: sql) }
            rows.append(readRow(statement))
        }
        return rows
    }

    /// Runs `body` inside BEGIN IMMEDIATE … COMMIT, rolling back if it throws.
    ///
    /// IMMEDIATE takes the write lock at once, so the busy timeout applies; a
    /// deferred transaction that later upgrades can fail with SQLITE_BUSY at once.
    func writeTransaction<Result>(_ body: () throws(AftError) -> Result) throws(AftError) -> Result {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private func prepared(_ sql: String) throws(AftError) -> OpaquePointer {
        if let cached = statements[sql] { return cached }
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard code == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw error(code, sql: sql)
        }
        statements[sql] = statement
        return statement
    }

    private func bind(_ parameters: [SQLiteValue], to statement: OpaquePointer, sql: String) throws(AftError) {
        for (offset, parameter) in parameters.enumerated() {
            let position = Int32(offset + 1)
            let code: Int32
            switch parameter {
            case .null:
                code = sqlite3_bind_null(statement, position)
            case .integer(let value):
                code = sqlite3_bind_int64(statement, position, value)
            case .text(let value):
                // An explicit byte count keeps text with U+0000 in it whole.
                var bytes = Array(value.utf8)
                let count = bytes.count
                // A trailing NUL keeps the pointer valid for empty text; the count excludes it.
                bytes.append(0)
                code = bytes.withUnsafeBytes { buffer in
                    sqlite3_bind_text64(statement, position, buffer.baseAddress?.assumingMemoryBound(to: CChar.self), sqlite3_uint64(count), aft_sqlite_transient(), UInt8(SQLITE_UTF8))
                }
            case .blob(let bytes):
                code = bytes.withUnsafeBytes { buffer in
                    // A zero-length blob still needs a non-null pointer, or SQLite binds NULL.
                    sqlite3_bind_blob64(statement, position, buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1), sqlite3_uint64(buffer.count), aft_sqlite_transient())
                }
            }
            guard code == SQLITE_OK else { throw error(code, sql: sql) }
        }
    }

    private func readRow(_ statement: OpaquePointer) -> [SQLiteValue] {
        (0..<sqlite3_column_count(statement)).map { column in
            switch sqlite3_column_type(statement, column) {
            case SQLITE_NULL:
                return .null
            case SQLITE_INTEGER:
                return .integer(sqlite3_column_int64(statement, column))
            case SQLITE_BLOB:
                let count = Int(sqlite3_column_bytes(statement, column))
                guard count > 0, let pointer = sqlite3_column_blob(statement, column) else { return .blob([]) }
                return .blob(Array(UnsafeRawBufferPointer(start: pointer, count: count)))
            default:
                let count = Int(sqlite3_column_bytes(statement, column))
                guard count > 0, let text = sqlite3_column_text(statement, column) else { return .text("") }
                return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
            }
        }
    }

    /// Maps an SQLite result code to an aft error; the statement is named but no bound value.
    func error(_ code: Int32, sql: String) -> AftError {
        let message = String(cString: sqlite3_errmsg(handle))
        let statement = sql.split(separator: " ").prefix(3).joined(separator: " ")
        switch code & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED:
            return AftError(.retryableAbort, "SQLite store \(Escaping.quoted(path)) stayed locked by another process past the busy timeout (\(statement)); retry the command")
        case SQLITE_NOTADB:
            return AftError(.storeIO, "\(Escaping.quoted(path)) is not an aft store (not an SQLite database); point --store at an aft store or at a new file")
        case SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_READONLY:
            return AftError(.unreachable, "cannot write SQLite store \(Escaping.quoted(path)): \(message); check the file's permissions")
        case SQLITE_FULL:
            return AftError(.storeIO, "SQLite store \(Escaping.quoted(path)) is full: \(message); free disk space and retry")
        case SQLITE_CORRUPT:
            return AftError(.storeIO, "SQLite store \(Escaping.quoted(path)) is corrupt: \(message); restore it from a backup")
        default:
            return AftError(.storeIO, "SQLite error \(code) on \(Escaping.quoted(path)) during \(statement): \(message)")
        }
    }
}

/// A value bound to or read from an SQLite statement.
enum SQLiteValue: Equatable {
    case null
    case integer(Int64)
    case text(String)
    case blob([UInt8])

    var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    var text: String? {
        switch self {
        case .text(let value): value
        case .blob(let bytes): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    var blob: [UInt8]? {
        switch self {
        case .blob(let bytes): bytes
        case .text(let value): Array(value.utf8)
        default: nil
        }
    }
}
