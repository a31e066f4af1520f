/// The SQLite layout of an aft store, documented for readers in docs/storage.md.
enum SQLiteSchema {
    static let format = "aft"
    static let version = "3"

    /// Statements that create an empty store; run inside one write transaction.
    static let create = """
        CREATE TABLE aft_meta (
            name  TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO aft_meta (name, value) VALUES ('format', '\(format)'), ('schema_version', '\(version)');

        CREATE TABLE versions (
            key       TEXT NOT NULL,
            txid      TEXT NOT NULL,
            tombstone  INTEGER NOT NULL,
            value      BLOB,
            written_at INTEGER NOT NULL,
            PRIMARY KEY (key, txid)
        );

        CREATE TABLE transactions (
            id           TEXT PRIMARY KEY,
            status       TEXT NOT NULL,
            mode         TEXT NOT NULL,
            stamp        INTEGER,
            write_set    TEXT NOT NULL,
            read_set     TEXT NOT NULL,
            start_time   INTEGER NOT NULL,
            node         TEXT NOT NULL,
            lease_expiry INTEGER NOT NULL,
            revision     INTEGER NOT NULL,
            abort_reason TEXT
        ) WITHOUT ROWID;

        CREATE TABLE version_index (
            key        TEXT NOT NULL,
            stamp      INTEGER NOT NULL,
            txid       TEXT NOT NULL,
            indexed_at INTEGER NOT NULL,
            PRIMARY KEY (key, stamp, txid)
        ) WITHOUT ROWID;

        CREATE TABLE commit_log (
            stamp INTEGER NOT NULL,
            txid  TEXT NOT NULL,
            PRIMARY KEY (stamp, txid)
        ) WITHOUT ROWID;
        """
}
