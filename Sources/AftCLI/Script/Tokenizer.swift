import AftEngine

/// Splits a command line of a script or the shell into tokens in aft's escape grammar.
///
/// Tokens are separated by spaces or tabs. A token that starts with a double quote
/// runs to the matching unescaped quote and may contain spaces; a `#` that starts a
/// token begins a comment that runs to the end of the line.
enum Tokenizer {
    struct Token: Equatable {
        /// The token as written, quotes included.
        let text: String
        /// The bytes it stands for.
        let bytes: [UInt8]
    }

    static func tokenize(_ line: String) throws(AftError) -> [Token] {
        var tokens: [Token] = []
        var scalars = Array(line.unicodeScalars)
        if scalars.last == "\r" { scalars.removeLast() }
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == " " || scalar == "\t" {
                index += 1
                continue
            }
            if scalar == "#" { break }
            let start = index
            if scalar == "\"" {
                index += 1
                var closed = false
                while index < scalars.count {
                    if scalars[index] == "\\" {
                        index += 2
                        continue
                    }
                    if scalars[index] == "\"" {
                        closed = true
                        index += 1
                        break
                    }
                    index += 1
                }
                let text = String(String.UnicodeScalarView(scalars[start..<min(index, scalars.count)]))
                guard closed else {
                    throw AftError(.invalidInput, "unterminated quoted string \(text); close it with a double quote")
                }
                if index < scalars.count, scalars[index] != " ", scalars[index] != "\t" {
                    throw AftError(.invalidInput, "text right after the closing quote of \(text); put a space between tokens")
                }
                tokens.append(Token(text: text, bytes: try Escaping.parse(text)))
            } else {
                while index < scalars.count, scalars[index] != " ", scalars[index] != "\t" {
                    index += 1
                }
                let text = String(String.UnicodeScalarView(scalars[start..<index]))
                tokens.append(Token(text: text, bytes: Array(text.utf8)))
            }
        }
        return tokens
    }
}
