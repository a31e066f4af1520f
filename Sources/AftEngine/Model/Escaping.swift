/// The one escape grammar aft prints and parses.
///
/// A value is written bare when it is plain text; otherwise it is a double-quoted
/// string with these escapes: `\\`, `\"`, `\n`, `\t`, `\r`, `\0`, `\xHH` for a raw
/// byte and `\u{H…}` for a Unicode scalar. Parsing a printed form yields the same
/// bytes, and an unknown escape is rejected rather than guessed.
public enum Escaping {
    /// Formats bytes for output: bare when they are valid UTF-8 without control
    /// characters and do not start with a double quote, quoted otherwise.
    public static func display(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self), isPlainText(text, allowSpaces: true) {
            return text
        }
        return quoted(bytes)
    }

    public static func display(_ text: String) -> String {
        display(Array(text.utf8))
    }

    /// Formats bytes as one shell token: bare only when they contain no space, quote or backslash.
    public static func token(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self), isPlainText(text, allowSpaces: false) {
            return text
        }
        return quoted(bytes)
    }

    public static func token(_ text: String) -> String {
        token(Array(text.utf8))
    }

    /// Formats bytes as a double-quoted string, for messages that name a key or value.
    public static func quoted(_ bytes: [UInt8]) -> String {
        var output = "\""
        var index = 0
        while index < bytes.count {
            let (scalar, length) = decodeScalar(bytes, at: index)
            guard let scalar else {
                output += hexEscape(bytes[index])
                index += 1
                continue
            }
            output += escape(scalar)
            index += length
        }
        return output + "\""
    }

    public static func quoted(_ text: String) -> String {
        quoted(Array(text.utf8))
    }

    /// Parses one token: a quoted string with escapes, or bare text taken byte for byte.
    ///
    /// Quotes are found by Unicode scalar, not by character, because a combining mark
    /// after a quote would otherwise join it into one character.
    public static func parse(_ token: String) throws(AftError) -> [UInt8] {
        let scalars = token.unicodeScalars
        guard scalars.first == "\"" else { return Array(token.utf8) }
        guard scalars.count >= 2, scalars.last == "\"", !isEscapedClosingQuote(token) else {
            throw AftError(.invalidInput, "unterminated quoted string \(token); close it with a double quote")
        }
        let body = String(String.UnicodeScalarView(scalars.dropFirst().dropLast()))
        return try unescape(Substring(body), original: token)
    }

    /// True when `text` starts with a double quote, judged by Unicode scalar.
    public static func startsWithQuote(_ text: String) -> Bool {
        text.unicodeScalars.first == "\""
    }

    /// Decodes the inside of a quoted string, escapes included.
    public static func unescape(_ body: Substring, original: String) throws(AftError) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = body.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            if scalar == "\"" {
                throw AftError(.invalidInput, "unescaped double quote inside \(original); write it as \\\"")
            }
            guard scalar == "\\" else {
                bytes.append(contentsOf: Array(String(scalar).utf8))
                continue
            }
            guard let escaped = iterator.next() else {
                throw AftError(.invalidInput, "dangling backslash at the end of \(original); write a backslash as \\\\")
            }
            switch escaped {
            case "\\": bytes.append(0x5C)
            case "\"": bytes.append(0x22)
            case "n": bytes.append(0x0A)
            case "t": bytes.append(0x09)
            case "r": bytes.append(0x0D)
            case "0": bytes.append(0x00)
            case "x":
                let digits = String(String.UnicodeScalarView([iterator.next(), iterator.next()].compactMap { $0 }))
                guard digits.count == 2, let byte = UInt8(digits, radix: 16) else {
                    throw AftError(.invalidInput, "invalid escape \\x\(digits) in \(original); \\x takes two hexadecimal digits, as in \\x0a")
                }
                bytes.append(byte)
            case "u":
                bytes.append(contentsOf: try unescapeUnicode(&iterator, original: original))
            default:
                throw AftError(.invalidInput, "unknown escape \\\(escaped) in \(original); use one of \\\\ \\\" \\n \\t \\r \\0 \\xHH \\u{H…}")
            }
        }
        return bytes
    }

    private static func unescapeUnicode(
        _ iterator: inout IndexingIterator<Substring.UnicodeScalarView>, original: String
    ) throws(AftError) -> [UInt8] {
        let invalid = AftError(.invalidInput, "invalid escape \\u in \(original); write a Unicode scalar as \\u{1F600}")
        guard iterator.next() == "{" else { throw invalid }
        var digits = ""
        while let next = iterator.next(), next != "}" {
            digits.unicodeScalars.append(next)
            if digits.count > 6 { throw invalid }
        }
        guard let code = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(code) else { throw invalid }
        return Array(String(scalar).utf8)
    }

    static func isPlainText(_ text: String, allowSpaces: Bool) -> Bool {
        guard !text.isEmpty, !startsWithQuote(text) else { return false }
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) { return false }
            if !allowSpaces && (scalar == " " || scalar == "\"" || scalar == "\\" || scalar == "'" || scalar == "#") {
                return false
            }
        }
        return true
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned, .privateUse:
            // U+200D joins emoji sequences, so it stays readable.
            return scalar.value != 0x200D
        default:
            return false
        }
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\\": return "\\\\"
        case "\"": return "\\\""
        case "\n": return "\\n"
        case "\t": return "\\t"
        case "\r": return "\\r"
        case "\0": return "\\0"
        default:
            guard needsEscape(scalar) else { return String(scalar) }
            if scalar.value < 0x80 { return hexEscape(UInt8(scalar.value)) }
            return "\\u{\(String(scalar.value, radix: 16))}"
        }
    }

    private static func hexEscape(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return "\\x" + (digits.count == 1 ? "0" + digits : digits)
    }

    /// Decodes one UTF-8 scalar at `index`, or returns nil for a byte that starts no valid scalar.
    private static func decodeScalar(_ bytes: [UInt8], at index: Int) -> (Unicode.Scalar?, Int) {
        let lead = bytes[index]
        let length: Int
        switch lead {
        case 0x00...0x7F: return (Unicode.Scalar(lead), 1)
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return (nil, 1)
        }
        guard index + length <= bytes.count else { return (nil, 1) }
        guard let text = String(validating: bytes[index..<(index + length)], as: UTF8.self),
              let scalar = text.unicodeScalars.first, text.unicodeScalars.count == 1
        else { return (nil, 1) }
        return (scalar, length)
    }

    /// True when the closing quote of `token` is itself escaped, as in `"abc\"`.
    private static func isEscapedClosingQuote(_ token: String) -> Bool {
        var backslashes = 0
        for scalar in token.unicodeScalars.dropLast().reversed() {
            guard scalar == "\\" else { break }
            backslashes += 1
        }
        return backslashes % 2 == 1
    }
}
