import AftEngine
import AftStores
import FoundationEssentials
import Glibc

/// The shell's persistent history: one line per entry in `$XDG_STATE_HOME/aft/history`,
/// created with mode 0600, appended as lines are entered so that a killed shell loses nothing.
final class ShellHistory {
    /// Entries kept in memory and loaded from the file.
    static let maximumEntries = 1000

    /// The history file, or nil when history is off.
    private(set) var path: String?
    private let errors: OutputStream

    /// History is off with `enabled` false, with `AFT_HISTFILE=/dev/null`, and when nothing can be written.
    init(environment: [String: String], enabled: Bool, errors: OutputStream) {
        self.errors = errors
        path = enabled ? ShellHistory.path(environment: environment) : nil
    }

    /// Returns `$AFT_HISTFILE` when set and not empty, else `$XDG_STATE_HOME/aft/history`, else `~/.local/state/aft/history`.
    static func path(environment: [String: String]) -> String? {
        if let configured = environment["AFT_HISTFILE"], !configured.isEmpty {
            return configured == "/dev/null" ? nil : configured
        }
        let stateHome: String
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            stateHome = xdg
        } else {
            let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
            stateHome = Paths.join(home, ".local/state")
        }
        return Paths.join(stateHome, "aft/history")
    }

    /// Reads the newest entries, oldest first, and shortens a file that grew past twice the maximum.
    func load() -> [String] {
        guard let path, let data = FileManager.default.contents(atPath: path) else { return [] }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        let kept = Array(lines.suffix(ShellHistory.maximumEntries))
        if lines.count > 2 * ShellHistory.maximumEntries {
            rewrite(kept)
        }
        return kept
    }

    /// True when `line` belongs in the history: not blank, and carrying no password.
    static func shouldRecord(_ line: String) -> Bool {
        !line.allSatisfy { $0 == " " || $0 == "\t" } && !PasswordDetector.carriesPassword(line)
    }

    /// Appends one entry to the file.
    func append(_ line: String) {
        guard let path else { return }
        guard prepareDirectory(of: path) else { return }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            disable("cannot open \(Escaping.quoted(path)): \(String(cString: strerror(errno)))")
            return
        }
        defer { close(descriptor) }
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                disable("cannot write \(Escaping.quoted(path)): \(String(cString: strerror(errno)))")
                return
            }
            offset += written
        }
    }

    private func rewrite(_ lines: [String]) {
        guard let path else { return }
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        let bytes = Array(lines.map { $0 + "\n" }.joined().utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        if written == bytes.count {
            rename(temporary, path)
        } else {
            unlink(temporary)
        }
    }

    /// Creates the history file's folder, private to the user, when it is missing.
    private func prepareDirectory(of path: String) -> Bool {
        let directory = Paths.parent(of: path)
        guard Paths.kind(of: directory) == .missing else { return true }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            return true
        } catch {
            disable("cannot create \(Escaping.quoted(directory)): \(error)")
            return false
        }
    }

    private func disable(_ reason: String) {
        errors.line("warning: history is not saved: \(reason); set AFT_HISTFILE to a writable file, or /dev/null to turn history off")
        errors.flush()
        path = nil
    }
}

/// Finds lines that carry a password, which the history must never store.
enum PasswordDetector {
    /// Words that name a password or announce one, as redis-cli's AUTH, `--password` or `requirepass` do.
    static let secretWords: Set<String> = [
        "auth", "password", "passwd", "pass", "pwd", "secret", "requirepass", "masterauth", "rediscli_auth",
    ]

    static func carriesPassword(_ line: String) -> Bool {
        hasURLPassword(line) || hasSecretWord(line)
    }

    /// True for a URL with a password in its user information, as in `redis://user:password@host` or `redis://:password@host`.
    static func hasURLPassword(_ line: String) -> Bool {
        let scalars = Array(line.unicodeScalars)
        let separator: [Unicode.Scalar] = [":", "/", "/"]
        var index = 0
        while index + separator.count <= scalars.count {
            guard Array(scalars[index..<(index + separator.count)]) == separator else {
                index += 1
                continue
            }
            index += separator.count
            let authority = scalars[index...].prefix { !" \t\"'/?#".unicodeScalars.contains($0) }
            if let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") {
                return true
            }
        }
        return false
    }

    /// True when a word, or the name part of a `name=value` word, is a secret word, with or without leading dashes.
    static func hasSecretWord(_ line: String) -> Bool {
        let words = line.lowercased().split { " \t\"'=".contains($0) }
        return words.contains { word in
            let bare = word.drop { $0 == "-" }
            return secretWords.contains(String(bare)) || bare.hasPrefix("password") || bare.hasPrefix("auth-")
        }
    }
}
