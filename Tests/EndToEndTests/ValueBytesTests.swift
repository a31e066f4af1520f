import Foundation
import Testing

@Suite("binary values")
struct ValueBytesTests {
    static let allBytes = (0...255).map { UInt8($0) }

    @Test func allByteValuesThroughStandardInput() throws {
        let sandbox = try Sandbox()

        expectSuccess(sandbox.aft(["put", "bytes", "-"], stdin: Self.allBytes))

        let raw = sandbox.aft("--raw", "get", "bytes")
        expectSuccess(raw)
        #expect(raw.stdout == Self.allBytes)
        let json = try jsonObject(sandbox.aft("--json", "get", "bytes"))
        #expect(json["encoding"] as? String == "base64")
        #expect(try valueBytes(json) == Self.allBytes)
        let human = sandbox.aft("get", "bytes")
        expectSuccess(human)
        #expect(human.output.hasPrefix("\"\\0\\x01\\x02"))
        #expect(human.output.hasSuffix("\\xfe\\xff\"\n"))
    }

    @Test func allByteValuesThroughFile() throws {
        let sandbox = try Sandbox()
        try sandbox.write(Self.allBytes, to: "bytes.bin")

        expectSuccess(sandbox.aft("put", "bytes", "@bytes.bin"))

        #expect(sandbox.aft("--raw", "get", "bytes").stdout == Self.allBytes)
        let history = try jsonObjects(sandbox.aft("--json", "history", "bytes"))
        #expect(try valueBytes(try #require(history.first)) == Self.allBytes)
    }

    @Test func nulBytesStayUTF8InJSON() throws {
        let sandbox = try Sandbox()
        let value: [UInt8] = [0x61, 0x00, 0x62, 0x00, 0x00]
        try sandbox.write(value, to: "nul.bin")

        expectSuccess(sandbox.aft("put", "nul", "@nul.bin"))
        expectSuccess(sandbox.aft(["put", "nul-stdin", "-"], stdin: value))

        for key in ["nul", "nul-stdin"] {
            #expect(sandbox.aft("--raw", "get", key).stdout == value)
            let json = try jsonObject(sandbox.aft("--json", "get", key))
            #expect(json["encoding"] as? String == "utf-8")
            #expect(json["value"] as? String == "a\0b\0\0")
            #expect(sandbox.aft("get", key).output == "\"a\\0b\\0\\0\"\n")
        }
    }

    @Test func invalidUTF8ComesAsBase64() throws {
        let sandbox = try Sandbox()
        let value: [UInt8] = [0xFF, 0xFE, 0x80, 0x41]

        expectSuccess(sandbox.aft(["put", "bad", "-"], stdin: value))

        #expect(sandbox.aft("--raw", "get", "bad").stdout == value)
        let json = try jsonObject(sandbox.aft("--json", "get", "bad"))
        #expect(json["encoding"] as? String == "base64")
        #expect(json["value"] as? String == "//6AQQ==")
        #expect(sandbox.aft("get", "bad").output == "\"\\xff\\xfe\\x80A\"\n")
        let show = try jsonObject(sandbox.aft("--json", "show", try #require(json["version"] as? String).components(separatedBy: ".")[1]))
        let write = try #require((show["writes"] as? [[String: Any]])?.first)
        #expect(write["encoding"] as? String == "base64")
        #expect(try valueBytes(write) == value)
    }

    @Test func emptyValueRoundTrip() throws {
        let sandbox = try Sandbox()
        try sandbox.write([], to: "empty.bin")

        expectSuccess(sandbox.aft(["put", "from-stdin", "-"], stdin: []))
        expectSuccess(sandbox.aft("put", "from-file", "@empty.bin"))
        expectSuccess(sandbox.aft("put", "from-argument", ""))

        for key in ["from-stdin", "from-file", "from-argument"] {
            let raw = sandbox.aft("--raw", "get", key)
            expectSuccess(raw)
            #expect(raw.stdout.isEmpty)
            let human = sandbox.aft("get", key)
            expectSuccess(human)
            #expect(human.output == "\"\"\n")
            let json = try jsonObject(sandbox.aft("--json", "get", key))
            #expect(json["found"] as? Bool == true)
            #expect(json["value"] as? String == "")
            #expect(json["encoding"] as? String == "utf-8")
        }
        #expect(sandbox.aft("keys").outputLines == ["from-argument", "from-file", "from-stdin"])
    }

    @Test func largeRandomValueThroughStandardInputAndFile() throws {
        let sandbox = try Sandbox()
        var generator = SystemRandomNumberGenerator()
        let value = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try sandbox.write(value, to: "large.bin")

        expectSuccess(sandbox.aft(["put", "stdin", "-"], stdin: value))
        expectSuccess(sandbox.aft("put", "file", "@large.bin"))

        #expect(sandbox.aft("--raw", "get", "stdin").stdout == value)
        #expect(sandbox.aft("--raw", "get", "file").stdout == value)
    }
}
