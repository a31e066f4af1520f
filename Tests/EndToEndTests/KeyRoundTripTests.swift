import Foundation
import Testing

/// A key with special characters, and the token that human output shows for it.
struct SpecialKey: Sendable, CustomTestStringConvertible {
    let key: String
    /// The key as `aft keys` prints it: bare when plain, else quoted in the escape grammar.
    let token: String

    var testDescription: String { token }

    static let all: [SpecialKey] = [
        SpecialKey(key: "a/b:c", token: "a/b:c"),
        SpecialKey(key: "data/x/1700000000/ffff", token: "data/x/1700000000/ffff"),
        SpecialKey(key: "with space", token: "\"with space\""),
        SpecialKey(key: "line\nbreak", token: "\"line\\nbreak\""),
        SpecialKey(key: "tab\there", token: "\"tab\\there\""),
        SpecialKey(key: "日本語", token: "日本語"),
        SpecialKey(key: "😀", token: "😀"),
        SpecialKey(key: "👩‍💻 café", token: "\"👩‍💻 café\""),
        SpecialKey(key: "-starts-with-dash", token: "-starts-with-dash"),
    ]
}

@Suite("keys with special characters")
struct KeyRoundTripTests {
    @Test(arguments: SpecialKey.all)
    func keyRoundTrip(_ special: SpecialKey) throws {
        let sandbox = try Sandbox()
        let key = special.key
        let value = "value of \(key)"

        expectSuccess(sandbox.aft("put", "--", key, value))

        let get = sandbox.aft("get", "--", key)
        expectSuccess(get)
        let hasControl = value.contains("\n") || value.contains("\t")
        let escaped = value.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t")
        #expect(get.output == (hasControl ? "\"\(escaped)\"\n" : value + "\n"))
        let raw = sandbox.aft("--raw", "get", "--", key)
        #expect(raw.stdout == Array(value.utf8))
        let json = try jsonObject(sandbox.aft("--json", "get", "--", key))
        #expect(json["key"] as? String == key)
        #expect(json["value"] as? String == value)

        let keys = sandbox.aft("keys")
        expectSuccess(keys)
        #expect(keys.outputLines == [special.token])
        let keysJSON = try jsonObjects(sandbox.aft("--json", "keys"))
        #expect(keysJSON.map { $0["key"] as? String } == [key])

        let history = try jsonObjects(sandbox.aft("--json", "history", "--", key))
        #expect(history.count == 1)
        #expect(history.first?["key"] as? String == key)
        #expect(history.first?["value"] as? String == value)

        expectSuccess(sandbox.aft("del", "--", key))
        expectFailure(sandbox.aft("get", "--", key), status: 1, mentioning: ["not found"])
        #expect(sandbox.aft("keys").stdout.isEmpty)

        let afterDelete = try jsonObjects(sandbox.aft("--json", "history", "--", key))
        #expect(afterDelete.map { $0["deleted"] as? Bool } == [true, false])
        #expect(afterDelete.map { $0["key"] as? String } == [key, key])
        let log = try jsonObjects(sandbox.aft("--json", "log"))
        #expect(log.map { $0["keys"] as? [String] } == [[key], [key]])
    }

    @Test func keysAmongOthersKeepTheirBoundaries() throws {
        let sandbox = try Sandbox()
        let keys = SpecialKey.all.map(\.key)
        let pairs = keys.map { "\($0)=v:\($0)" }

        expectSuccess(sandbox.aft(["put", "--"] + pairs))

        let listed = try jsonObjects(sandbox.aft("--json", "keys")).compactMap { $0["key"] as? String }
        #expect(listed == keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        let read = try jsonObjects(sandbox.aft(["--json", "get", "--"] + keys))
        #expect(read.map { $0["key"] as? String } == keys)
        #expect(read.map { $0["value"] as? String } == keys.map { "v:\($0)" })
        let history = try jsonObjects(sandbox.aft("--json", "history", "--", "a/b:c"))
        let cowritten = try #require(history.first?["cowritten"] as? [String])
        #expect(Set(cowritten) == Set(keys.filter { $0 != "a/b:c" }))
    }

    @Test
    func canonicallyEquivalentKeysStayDistinct() throws {
        let sandbox = try Sandbox()
        let precomposed = "\u{E9}"
        let decomposed = "e\u{301}"
        try #require(Array(precomposed.utf8) != Array(decomposed.utf8))

        let put = sandbox.aft("put", "\(precomposed)=one", "\(decomposed)=two")
        expectSuccess(put)
        #expect(put.outputLines.first?.wholeMatch(of: StatusLine.committed(keys: 2)) != nil, "\(put)")

        let read = try jsonObjects(sandbox.aft("--json", "get", precomposed, decomposed))
        #expect(read.map { $0["value"] as? String } == ["one", "two"])
        let keys = try jsonObjects(sandbox.aft("--json", "keys")).compactMap { ($0["key"] as? String).map { Array($0.utf8) } }
        #expect(keys == [Array(decomposed.utf8), Array(precomposed.utf8)])
    }

    @Test func getSeveralSpecialKeysShowsTokens() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "with space=1", "line\nbreak=2", "日本語=3"))

        let get = sandbox.aft("get", "with space", "line\nbreak", "日本語")
        expectSuccess(get)
        #expect(get.output == "\"with space\" 1\n\"line\\nbreak\" 2\n日本語 3\n")
    }
}
