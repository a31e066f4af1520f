@testable import AftEngine
import Testing

@Suite struct EscapingTests {
    @Test func plainTextDisplaysBare() {
        #expect(Escaping.display(Array("hello world".utf8)) == "hello world")
        #expect(Escaping.display(Array("日本語 🙂".utf8)) == "日本語 🙂")
    }

    @Test func controlBytesDisplayQuoted() {
        #expect(Escaping.display(Array("a\nb".utf8)) == "\"a\\nb\"")
        #expect(Escaping.display([0x00, 0x41]) == "\"\\0A\"")
        #expect(Escaping.display([0xFF, 0x41]) == "\"\\xffA\"")
        #expect(Escaping.display([0x1B]) == "\"\\x1b\"")
        #expect(Escaping.display([]) == "\"\"")
    }

    @Test func leadingQuoteDisplaysQuoted() {
        #expect(Escaping.display(Array("\"quoted\"".utf8)) == "\"\\\"quoted\\\"\"")
    }

    @Test func tokenQuotesSpacesAndBackslashes() {
        #expect(Escaping.token("plain") == "plain")
        #expect(Escaping.token("with space") == "\"with space\"")
        #expect(Escaping.token("back\\slash") == "\"back\\\\slash\"")
        #expect(Escaping.token("#comment") == "\"#comment\"")
    }

    @Test func parseAcceptsEveryEscape() throws {
        #expect(try Escaping.parse("\"\\\\ \\\" \\n \\t \\r \\0 \\x7f \\u{1F642}\"") == Array("\\ \" \n \t \r \u{0} \u{7F} 🙂".utf8))
        #expect(try Escaping.parse("bare\\n") == Array("bare\\n".utf8))
    }

    @Test func parseRejectsUnknownEscape() {
        #expect(throws: AftError.self) { try Escaping.parse("\"\\q\"") }
        #expect(throws: AftError.self) { try Escaping.parse("\"\\x4\"") }
        #expect(throws: AftError.self) { try Escaping.parse("\"\\u{110000}\"") }
        #expect(throws: AftError.self) { try Escaping.parse("\"open") }
        #expect(throws: AftError.self) { try Escaping.parse("\"ends with escaped quote\\\"") }
    }

    @Test func randomBytesRoundTripThroughDisplayAndToken() throws {
        let seed: UInt64 = 0x5EED_0001
        var generator = SplitMix64(seed: seed)
        for round in 0..<2000 {
            let length = Int(generator.next() % 12)
            let bytes = (0..<length).map { _ in
                // Bias towards ASCII and multi-byte UTF-8 lead bytes so both paths get exercised.
                let pick = generator.next() % 4
                return pick == 0 ? UInt8(truncatingIfNeeded: generator.next()) : UInt8(32 + generator.next() % 95)
            }
            let shown = Escaping.display(bytes)
            let token = Escaping.token(bytes)
            #expect(try Escaping.parse(shown) == bytes, "seed \(seed) round \(round): \(shown)")
            #expect(try Escaping.parse(token) == bytes, "seed \(seed) round \(round): \(token)")
        }
    }
}

/// A small deterministic generator, so a failing seed reproduces.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
