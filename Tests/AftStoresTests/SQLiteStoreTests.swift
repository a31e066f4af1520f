import AftEngine
import AftStores
import Foundation
import Testing

/// Behaviour only the SQLite backend has: files, formats and sharing between connections.
@Suite struct SQLiteStoreTests {
    @Test func reopenKeepsCommittedData() throws {
        let path = try TemporaryDirectory.make().appendingPathComponent("aft.db").path
        let record = committedRecord(["k"], at: 42)
        do {
            let store = try SQLiteStore(path: path)
            try store.writeVersions([Version(key: key("k"), transaction: record.id, contents: .value([9]))])
            _ = try store.insertRecord(record)
            try store.indexCommit(record)
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try reopened.readRecords([record.id])[record.id] == record)
        #expect(try reopened.indexedStamps(of: key("k"), olderThan: nil, limit: 1) == [record.stamp!])
    }

    @Test func newStoreUsesWriteAheadLog() throws {
        let path = try TemporaryDirectory.make().appendingPathComponent("aft.db").path
        _ = try SQLiteStore(path: path)
        let header = try #require(FileManager.default.contents(atPath: path))
        // Bytes 18 and 19 of the database header are 2 in WAL mode (sqlite.org/fileformat2.html).
        #expect(header[18] == 2 && header[19] == 2)
    }

    @Test func directoryPathIsRejected() throws {
        let directory = try TemporaryDirectory.make()
        #expect {
            _ = try SQLiteStore(path: directory.path)
        } throws: { error in
            (error as? AftError)?.kind == .unreachable && "\(error)".contains("is a directory")
        }
    }

    @Test func missingDirectoryIsRejected() throws {
        let path = try TemporaryDirectory.make().appendingPathComponent("no/such/dir/aft.db").path
        #expect {
            _ = try SQLiteStore(path: path)
        } throws: { error in
            (error as? AftError)?.kind == .unreachable && "\(error)".contains("does not exist")
        }
    }

    @Test func textFileIsNotAnAftStoreAndStaysUnchanged() throws {
        let path = try TemporaryDirectory.make().appendingPathComponent("notes.txt").path
        let contents = Data(String(repeating: "not a database\n", count: 100).utf8)
        _ = FileManager.default.createFile(atPath: path, contents: contents)
        #expect {
            _ = try SQLiteStore(path: path)
        } throws: { error in
            (error as? AftError)?.kind == .storeIO && "\(error)".contains("not an aft store")
        }
        #expect(FileManager.default.contents(atPath: path) == contents)
    }

    @Test func foreignDatabaseIsNotAnAftStoreAndStaysUnchanged() throws {
        let path = try TemporaryDirectory.make().appendingPathComponent("other.db").path
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [path, "CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('ada');"]
        try sqlite.run()
        sqlite.waitUntilExit()
        try #require(sqlite.terminationStatus == 0)
        let before = FileManager.default.contents(atPath: path)

        #expect {
            _ = try SQLiteStore(path: path)
        } throws: { error in
            (error as? AftError)?.kind == .storeIO && "\(error)".contains("not an aft store")
        }
        #expect(FileManager.default.contents(atPath: path) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func twoConnectionsSeeEachOthersCommits() throws {
        let path = try TemporaryDirectory.make().appendingPathComponent("aft.db").path
        let writer = try SQLiteStore(path: path)
        let reader = try SQLiteStore(path: path)
        let record = committedRecord(["shared"], at: 3)
        _ = try writer.insertRecord(record)
        try writer.indexCommit(record)
        #expect(try reader.readRecords([record.id])[record.id] == record)
        #expect(try reader.indexedStamps(of: key("shared"), olderThan: nil, limit: 1) == [record.stamp!])
    }

    @Test func concurrentConnectionsWriteWithoutBusyErrors() async throws {
        let path = try TemporaryDirectory.make().appendingPathComponent("aft.db").path
        _ = try SQLiteStore(path: path)
        let writers = 4
        let commitsPerWriter = 50
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    let store = try SQLiteStore(path: path)
                    for index in 0..<commitsPerWriter {
                        let record = committedRecord(["k\(writer)", "shared"], at: Int64(writer * 1000 + index))
                        try store.writeVersions(record.writeSet.map { Version(key: $0, transaction: record.id, contents: .value([UInt8(index)])) })
                        _ = try store.insertRecord(record)
                        try store.indexCommit(record)
                    }
                }
            }
            try await group.waitForAll()
        }
        let stats = try SQLiteStore(path: path).statistics()
        #expect(stats.transactionsByStatus[.committed] == writers * commitsPerWriter)
        #expect(stats.indexEntries == writers * commitsPerWriter * 2)
    }
}
