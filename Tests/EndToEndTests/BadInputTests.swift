import Foundation
import Testing

@Suite("bad input")
struct BadInputTests {
    /// Makes a sandbox whose store already contains values, so a test can check that nothing changed.
    static func seededSandbox() throws -> (Sandbox, StoreSnapshot) {
        let sandbox = try Sandbox()
        let seed = sandbox.aft("put", "existing=1", "other=2")
        #expect(seed.status == 0, "\(seed)")
        return (sandbox, try sandbox.snapshot())
    }

    @Test func emptyKeyRejected() throws {
        let (sandbox, before) = try Self.seededSandbox()

        expectFailure(sandbox.aft("put", "", "v"), status: 65, mentioning: ["invalid key", "empty"])
        expectFailure(sandbox.aft("put", "=v"), status: 65, mentioning: ["invalid key", "empty"])
        expectFailure(sandbox.aft("put", "existing=3", "=v"), status: 65, mentioning: ["empty"])
        expectFailure(sandbox.aft("get", ""), status: 65, mentioning: ["empty"])
        expectFailure(sandbox.aft("del", ""), status: 65, mentioning: ["empty"])
        expectFailure(sandbox.aft("history", ""), status: 65, mentioning: ["empty"])

        #expect(try sandbox.snapshot() == before)
    }

    @Test func keyOver1024BytesRejected() throws {
        let (sandbox, before) = try Self.seededSandbox()
        let longest = String(repeating: "k", count: 1024)
        let tooLong = String(repeating: "k", count: 1025)
        // 342 three-byte characters: 342 characters, but 1026 bytes.
        let tooLongInBytes = String(repeating: "日", count: 342)

        expectFailure(sandbox.aft("put", tooLong, "v"), status: 65, mentioning: ["1025 bytes", "1024"])
        expectFailure(sandbox.aft("put", tooLongInBytes, "v"), status: 65, mentioning: ["1026 bytes"])
        expectFailure(sandbox.aft("put", "existing=3", "\(tooLong)=v"), status: 65, mentioning: ["1025 bytes"])
        expectFailure(sandbox.aft("get", tooLong), status: 65, mentioning: ["1025 bytes"])
        #expect(try sandbox.snapshot() == before)

        expectSuccess(sandbox.aft("put", longest, "v"))
        #expect(sandbox.aft("get", longest).output == "v\n")
    }

    @Test func invalidUTF8KeyRejected() throws {
        let (sandbox, before) = try Self.seededSandbox()
        let key: [UInt8] = Array("key".utf8) + [0xFF, 0xC3]

        let put = sandbox.aft(rawArguments: [Array("put".utf8), key, Array("v".utf8)])
        expectFailure(put, status: 65, mentioning: [#""key\xff\xc3""#, "UTF-8"])
        let pair = sandbox.aft(rawArguments: [Array("put".utf8), Array("existing=3".utf8), key + Array("=v".utf8)])
        expectFailure(pair, status: 65, mentioning: [#""key\xff\xc3""#])
        for command in ["get", "del", "history"] {
            let result = sandbox.aft(rawArguments: [Array(command.utf8), key])
            expectFailure(result, status: 65, mentioning: [#""key\xff\xc3""#])
        }

        #expect(try sandbox.snapshot() == before)
    }

    @Test func invalidUTF8ValueAsArgumentAccepted() throws {
        let sandbox = try Sandbox()

        let put = sandbox.aft(rawArguments: [Array("put".utf8), Array("k".utf8), [0x61, 0xFF, 0x62]])

        expectSuccess(put)
        #expect(sandbox.aft("--raw", "get", "k").stdout == [0x61, 0xFF, 0x62])
    }

    @Test(arguments: [
        ("gett", "did you mean 'get'?"),
        ("comit", "did you mean 'commit'?"),
        ("bgein", "did you mean 'begin'?"),
        ("stat", "did you mean 'stats'?"),
        ("frobnicate", "unknown command \"frobnicate\""),
    ])
    func unknownCommandSuggestsNearCommand(_ command: String, _ hint: String) throws {
        let (sandbox, before) = try Self.seededSandbox()

        let result = sandbox.aft(command, "a")

        expectFailure(result, status: 64, mentioning: ["unknown command \"\(command)\"", hint])
        #expect(try sandbox.snapshot() == before)
    }

    @Test func unknownCommandWithoutNearMatchHasNoSuggestion() throws {
        let sandbox = try Sandbox()

        let result = sandbox.aft("frobnicate")

        expectFailure(result, status: 64, mentioning: ["unknown command \"frobnicate\""])
        #expect(!result.stderr.contains("did you mean"))
    }

    @Test func unknownOptionRejected() throws {
        let (sandbox, before) = try Self.seededSandbox()

        expectFailure(sandbox.aft("get", "--bogus", "existing"), status: 64, mentioning: ["unknown option --bogus"])
        expectFailure(sandbox.aft("put", "-z", "existing", "3"), status: 64, mentioning: ["unknown option -z"])
        expectFailure(sandbox.aft("--jsn", "get", "existing"), status: 64, mentioning: ["--jsn", "did you mean '--json'?"])
        expectFailure(sandbox.aft("put", "--explain", "existing", "3"), status: 64, mentioning: ["unknown option --explain"])
        expectFailure(sandbox.aft("get", "--json=yes", "existing"), status: 64, mentioning: ["--json", "takes no value"])
        expectFailure(sandbox.aft("get", "--bo\ngus", "existing"), status: 64, mentioning: [#"unknown option "--bo\ngus""#])
        expectFailure(sandbox.aft("get", "-\n", "existing"), status: 64, mentioning: [#"unknown option "-\n""#])

        #expect(try sandbox.snapshot() == before)
    }

    @Test func missingValueRejected() throws {
        let (sandbox, before) = try Self.seededSandbox()

        expectFailure(sandbox.aft("put", "existing"), status: 64, mentioning: ["missing value", "\"existing\""])
        expectFailure(sandbox.aft("put"), status: 64, mentioning: ["missing KEY and VALUE"])
        expectFailure(sandbox.aft("put", "a", "b", "c"), status: 64, mentioning: ["3 arguments"])
        expectFailure(sandbox.aft("get"), status: 64, mentioning: ["missing KEY"])
        expectFailure(sandbox.aft("get", "existing", "--store"), status: 64, mentioning: ["--store", "needs a value"])
        expectFailure(sandbox.aft("get", "-t"), status: 64, mentioning: ["-t", "needs a value"])
        expectFailure(sandbox.aft("put", "a", "-", "b", "-"), status: 64, mentioning: ["4 arguments"])
        expectFailure(sandbox.aft(["put", "a=-", "b=-"], stdin: Array("x".utf8)), status: 64, mentioning: ["standard input"])

        #expect(try sandbox.snapshot() == before)
    }

    @Test func missingFileExits66() throws {
        let (sandbox, before) = try Self.seededSandbox()
        try FileManager.default.createDirectory(atPath: sandbox.path("folder"), withIntermediateDirectories: false)

        expectFailure(sandbox.aft("put", "existing", "@missing-file"), status: 66, mentioning: ["\"missing-file\"", "no such file"])
        expectFailure(sandbox.aft("put", "other=3", "existing=@missing-file"), status: 66, mentioning: ["\"missing-file\""])
        expectFailure(sandbox.aft("put", "existing", "@folder"), status: 66, mentioning: ["\"folder\"", "directory"])
        expectFailure(sandbox.aft("put", "existing", "@"), status: 66, mentioning: ["cannot read file"])

        #expect(try sandbox.snapshot() == before)
    }

    // NOTE: no option lowers the 64 MiB maximum, so these tests write a 64 MiB + 1 byte value.
    @Test func oversizeValueFromFileRejected() throws {
        let (sandbox, before) = try Self.seededSandbox()
        let oversize = [UInt8](repeating: 0x61, count: 64 * 1024 * 1024 + 1)
        try sandbox.write(oversize, to: "big.bin")

        let put = sandbox.aft("put", "other=small", "big=@big.bin")

        expectFailure(put, status: 65, mentioning: ["\"big\"", "67108865 bytes", "67108864"])
        #expect(try sandbox.snapshot() == before)
    }

    @Test func oversizeValueFromStandardInputRejected() throws {
        let (sandbox, before) = try Self.seededSandbox()
        let oversize = [UInt8](repeating: 0, count: 64 * 1024 * 1024 + 1)

        let put = sandbox.aft(["put", "big", "-"], stdin: oversize)

        expectFailure(put, status: 65, mentioning: ["\"big\"", "67108865 bytes"])
        #expect(try sandbox.snapshot() == before)
    }

    @Test func oversizeValueInRegisteredTransactionStagesNothing() throws {
        let (sandbox, _) = try Self.seededSandbox()
        let id = try RegisteredTransactionTests.begin(sandbox)
        let versionsBefore = try jsonObject(sandbox.aft("--json", "stats"))["versions"] as? Int
        try sandbox.write([UInt8](repeating: 0x61, count: 64 * 1024 * 1024 + 1), to: "big.bin")

        let put = sandbox.aft("put", "-t", id, "big", "@big.bin")

        expectFailure(put, status: 65, mentioning: ["67108865 bytes"])
        #expect(try jsonObject(sandbox.aft("--json", "stats"))["versions"] as? Int == versionsBefore)
        let show = try jsonObject(sandbox.aft("--json", "show", id))
        #expect((show["writes"] as? [Any])?.isEmpty == true)
    }

    @Test func jsonWithRawRejected() throws {
        let (sandbox, before) = try Self.seededSandbox()

        expectFailure(sandbox.aft("--json", "--raw", "get", "existing"), status: 64, mentioning: ["--json", "--raw"])
        expectFailure(sandbox.aft("--raw", "put", "existing", "3", "--json"), status: 64, mentioning: ["--json", "--raw"])

        #expect(try sandbox.snapshot() == before)
    }

    @Test func invalidGlobalOptionValuesRejected() throws {
        let (sandbox, before) = try Self.seededSandbox()

        expectFailure(sandbox.aft("--consistency", "serializable", "put", "existing", "3"), status: 64, mentioning: ["\"serializable\"", "read-atomic"])
        expectFailure(sandbox.aft("-v", "-q", "get", "existing"), status: 64, mentioning: ["-v", "-q"])
        expectFailure(sandbox.aft("--fault", "no.such.point=crash", "put", "existing", "3"), status: 64, mentioning: ["no.such.point"])

        #expect(try sandbox.snapshot() == before)
    }
}
