import Foundation

/// The `aft` executable under test and the source tree it was built from.
enum ShellBinary {
    /// `$AFT_BINARY` when set, else the `aft` next to the running test executable,
    /// which `swift build --build-tests` puts in the same directory under any scratch path.
    static let path: String = {
        if let configured = ProcessInfo.processInfo.environment["AFT_BINARY"], !configured.isEmpty {
            return configured
        }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return runner.deletingLastPathComponent().appendingPathComponent("aft").path
    }()

    /// The top of the source tree, found from this file's path.
    static let repository: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// A temporary directory for one test: its SQLite store and its state folder, removed when the test ends.
final class Scratch: Sendable {
    struct SetupError: Error, CustomStringConvertible {
        let description: String
    }

    let directory: URL
    let storePath: String
    /// What `XDG_STATE_HOME` names, where the shell keeps its history.
    let stateHome: String

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: ShellBinary.path) else {
            throw SetupError(description: "no aft executable at \(ShellBinary.path); run 'swift build --build-tests' first or set AFT_BINARY")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("aft-shell-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        storePath = directory.appendingPathComponent("store.db").path
        stateHome = directory.appendingPathComponent("state").path
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The history file the shell writes by default.
    var historyPath: String { stateHome + "/aft/history" }

    /// An environment that reaches only this directory: its store, its state folder as
    /// XDG_STATE_HOME and as HOME, a terminal type in the terminfo database, and UTF-8.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": directory.path,
            "XDG_STATE_HOME": stateHome,
            "AFT_STORE": "sqlite:" + storePath,
            "TERM": "xterm",
            "LANG": "C.UTF-8",
        ]
        environment.merge(extra) { _, new in new }
        return environment
    }
}
