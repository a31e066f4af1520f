import Foundation
import Testing

@Suite("store locations")
struct StoreLocationTests {
    /// Lists the files in the sandbox, to show that a failed open created nothing.
    static func files(in sandbox: Sandbox) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: sandbox.directory.path).sorted()
    }

    @Test func storeCreatedOnFirstUse() throws {
        let sandbox = try Sandbox()
        #expect(!FileManager.default.fileExists(atPath: sandbox.storePath))

        expectSuccess(sandbox.aft("put", "k", "v"))

        #expect(FileManager.default.fileExists(atPath: sandbox.storePath))
        #expect(sandbox.contents(of: sandbox.storePath)?.starts(with: Array("SQLite format 3\0".utf8)) == true)
    }

    @Test func defaultStoreFollowsDataHome() throws {
        let sandbox = try Sandbox()

        expectSuccess(sandbox.aft(["put", "k", "home"], environment: ["AFT_STORE": ""]))
        expectSuccess(sandbox.aft(["put", "k", "xdg"], environment: ["AFT_STORE": "", "XDG_DATA_HOME": sandbox.path("data")]))

        #expect(FileManager.default.fileExists(atPath: sandbox.path(".local/share/aft/aft.db")))
        #expect(FileManager.default.fileExists(atPath: sandbox.path("data/aft/aft.db")))
        #expect(sandbox.aft("--store", sandbox.path(".local/share/aft/aft.db"), "get", "k").output == "home\n")
        #expect(sandbox.aft("--store", sandbox.path("data/aft/aft.db"), "get", "k").output == "xdg\n")
    }

    @Test func storeOptionOverridesEnvironment() throws {
        let sandbox = try Sandbox()
        let other = sandbox.path("other.db")

        expectSuccess(sandbox.aft("--store", other, "put", "k", "other"))
        expectSuccess(sandbox.aft("--store", "sqlite:\(other)", "put", "j", "other"))
        expectSuccess(sandbox.aft("--store=sqlite:other.db", "put", "i", "relative"))

        #expect(sandbox.aft("--store", other, "keys").output == "i\nj\nk\n")
        #expect(!FileManager.default.fileExists(atPath: sandbox.storePath))
        #expect(sandbox.aft("keys").stdout.isEmpty)
    }

    @Test func memoryStoreKeepsNothing() throws {
        let sandbox = try Sandbox()

        let put = sandbox.aft("--store", "memory:", "put", "k", "v")

        expectSuccess(put)
        expectFailure(sandbox.aft("--store", "memory:", "get", "k"), status: 1, mentioning: ["not found"])
        #expect(try Self.files(in: sandbox).isEmpty)
    }

    @Test func storePathIsDirectoryExits69() throws {
        let sandbox = try Sandbox()
        let folder = sandbox.path("folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)

        expectFailure(sandbox.aft("--store", folder, "put", "k", "v"), status: 69, mentioning: ["\"\(folder)\"", "directory"])
        expectFailure(sandbox.aft("--store", "sqlite:\(folder)", "get", "k"), status: 69, mentioning: ["\"\(folder)\""])
        expectFailure(sandbox.aft(["keys"], environment: ["AFT_STORE": folder]), status: 69, mentioning: ["\"\(folder)\""])

        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test func storeDirectoryMissingExits69() throws {
        let sandbox = try Sandbox()
        let store = sandbox.path("missing/sub/store.db")

        expectFailure(sandbox.aft("--store", store, "put", "k", "v"), status: 69, mentioning: ["\"\(sandbox.path("missing/sub"))\"", "does not exist"])
        expectFailure(sandbox.aft(["get", "k"], environment: ["AFT_STORE": "sqlite:\(store)"]), status: 69, mentioning: ["does not exist"])

        #expect(try Self.files(in: sandbox).isEmpty)
    }

    @Test func textFileIsNotStoreExits74() throws {
        let sandbox = try Sandbox()
        let text = Array("shopping list\nmilk\neggs\n".utf8)
        let path = try sandbox.write(text, to: "notes.txt")

        for arguments in [["put", "k", "v"], ["get", "k"], ["keys"], ["log"], ["begin"]] {
            let result = sandbox.aft(["--store", path] + arguments)
            expectFailure(result, status: 74, mentioning: ["\"\(path)\"", "not an aft store"])
        }

        #expect(sandbox.contents(of: path) == text)
        #expect(try Self.files(in: sandbox) == ["notes.txt"])
    }

    @Test func foreignSQLiteDatabaseIsNotStoreExits74() throws {
        let sandbox = try Sandbox()
        let created = sandbox.shell("sqlite3 foreign.db \"CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('bread');\"")
        try #require(created.status == 0, "the sqlite3 shell is needed for this test: \(created)")
        let path = sandbox.path("foreign.db")
        let original = try #require(sandbox.contents(of: path))

        for arguments in [["put", "k", "v"], ["get", "k"], ["keys"], ["stats"], ["begin"]] {
            let result = sandbox.aft(["--store", path] + arguments)
            expectFailure(result, status: 74, mentioning: ["\"\(path)\"", "not an aft store"])
        }

        #expect(sandbox.contents(of: path) == original)
        #expect(try Self.files(in: sandbox) == ["foreign.db"])
    }

    @Test func unknownStoreSchemeExits64() throws {
        let sandbox = try Sandbox()

        let result = sandbox.aft("--store", "ftp://example.com/store", "get", "k")

        expectFailure(result, status: 64, mentioning: ["\"ftp:\""])
        #expect(try Self.files(in: sandbox).isEmpty)
    }
}
