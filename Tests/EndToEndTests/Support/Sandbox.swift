import Foundation

/// A temporary directory with its own SQLite store for one test, removed when the test ends.
///
/// Every command runs with `AFT_STORE` set to the sandbox's store and `HOME` set to the
/// sandbox, so no test can reach a real store in the developer's home directory.
final class Sandbox: Sendable {
    struct SetupError: Error, CustomStringConvertible {
        let description: String
    }

    let directory: URL
    /// The SQLite file that `AFT_STORE` names; aft creates it on first use.
    let storePath: String

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: AftBinary.path) else {
            throw SetupError(description: "no aft executable at \(AftBinary.path); run 'swift build --build-tests' first or set AFT_BINARY")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aft-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        storePath = directory.appendingPathComponent("store.db").path
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Returns the absolute path of `name` inside the sandbox.
    func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// Writes `bytes` to the file `name` in the sandbox and returns its path.
    @discardableResult
    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let path = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Reads a file's bytes, or returns nil when it cannot be read.
    func contents(of path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { Array($0) }
    }

    /// Builds the environment of every command: the inherited PATH, HOME and AFT_STORE in
    /// the sandbox, and `$AFT` for shell scripts. Nothing else is inherited, so `AFT_TXN`
    /// or `AFT_FAULTS` from a developer's shell cannot leak in.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": directory.path,
            "AFT_STORE": storePath,
            "AFT": AftBinary.path,
        ]
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// Runs aft with `arguments`, as a user would from a shell.
    @discardableResult
    func aft(
        _ arguments: [String], stdin: [UInt8] = [], environment extra: [String: String] = [:],
        timeLimit: Duration = .seconds(60)
    ) -> CommandResult {
        aft(rawArguments: arguments.map { Array($0.utf8) }, stdin: stdin, environment: extra, timeLimit: timeLimit)
    }

    @discardableResult
    func aft(_ arguments: String..., stdin: [UInt8] = [], environment extra: [String: String] = [:]) -> CommandResult {
        aft(arguments, stdin: stdin, environment: extra)
    }

    @discardableResult
    func aft(_ arguments: String..., stdin text: String) -> CommandResult {
        aft(arguments, stdin: Array(text.utf8))
    }

    /// Runs aft with arguments given as raw bytes, which need not be valid UTF-8, as a
    /// shell passes `"$(printf 'k\377')"`.
    @discardableResult
    func aft(
        rawArguments: [[UInt8]], stdin: [UInt8] = [], environment extra: [String: String] = [:],
        timeLimit: Duration = .seconds(60)
    ) -> CommandResult {
        ProcessRunner.run(
            executable: AftBinary.path, arguments: rawArguments, stdin: stdin, environment: environment(extra),
            directory: directory, timeLimit: timeLimit)
    }

    /// Runs a `/bin/sh` script in the sandbox, with `$AFT` naming the aft executable.
    @discardableResult
    func shell(_ script: String, stdin: [UInt8] = [], timeLimit: Duration = .seconds(60)) -> CommandResult {
        ProcessRunner.run(
            executable: "/bin/sh", arguments: [Array("-c".utf8), Array(script.utf8)], stdin: stdin, environment: environment(),
            directory: directory, timeLimit: timeLimit)
    }
}
