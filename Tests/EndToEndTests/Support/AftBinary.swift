import Foundation

/// The `aft` executable under test.
enum AftBinary {
    /// `$AFT_BINARY` when set, else the `aft` next to the running test executable,
    /// which `swift build --build-tests` puts in the same directory under any scratch path.
    static let path: String = {
        if let configured = ProcessInfo.processInfo.environment["AFT_BINARY"], !configured.isEmpty {
            return configured
        }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return runner.deletingLastPathComponent().appendingPathComponent("aft").path
    }()
}
