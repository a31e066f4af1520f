import Foundation

/// What a finished process left behind: its exit status and everything it wrote.
struct CommandResult: Sendable, CustomStringConvertible {
    /// The program's name and its arguments, for failure messages.
    let commandLine: [String]
    let status: Int32
    let stdout: [UInt8]
    let stderr: String
    /// True when the runner killed the process because it outlived its time limit.
    let timedOut: Bool

    /// Standard output decoded as UTF-8, with invalid bytes repaired.
    var output: String { String(decoding: stdout, as: UTF8.self) }

    /// Lines of standard output without their newlines.
    var outputLines: [String] { Self.lines(output) }

    /// Lines of standard error without their newlines.
    var errorLines: [String] { Self.lines(stderr) }

    var description: String {
        "\(commandLine.joined(separator: " ")) exited \(status)\(timedOut ? " (killed after its time limit)" : "")\n"
            + "stdout: \(output.debugDescription)\nstderr: \(stderr.debugDescription)"
    }

    private static func lines(_ text: String) -> [String] {
        var pieces = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if pieces.last == "" { pieces.removeLast() }
        return pieces
    }
}

/// Runs a child process with pipes on all three standard streams.
enum ProcessRunner {
    /// Writes to a pipe whose reader has gone must fail with EPIPE, not kill the test runner.
    private static let brokenPipeIgnored: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()

    /// Runs `executable` to completion, feeding `stdin` and collecting both outputs.
    ///
    /// A process still running after `timeLimit` is killed with SIGKILL, so one hung
    /// command fails its test instead of stalling the whole suite.
    static func run(
        executable: String, arguments: [[UInt8]], stdin: [UInt8], environment: [String: String],
        directory: URL, timeLimit: Duration
    ) -> CommandResult {
        _ = brokenPipeIgnored
        let commandLine = [URL(fileURLWithPath: executable).lastPathComponent] + arguments.map { String(decoding: $0, as: UTF8.self) }
        let child: ChildProcess
        do {
            child = try ChildProcess(executable: executable, arguments: arguments, environment: environment, directory: directory.path)
        } catch {
            return CommandResult(commandLine: commandLine, status: -1, stdout: [], stderr: "\(error)", timedOut: false)
        }

        let collected = Locked<(stdout: [UInt8], stderr: [UInt8], status: Int32)>(([], [], -1))
        let finished = DispatchGroup()
        DispatchQueue.global().async {
            // The child may exit without reading its input; EPIPE is then expected and harmless.
            writeAll(stdin, to: child.standardInput)
            close(child.standardInput)
        }
        finished.enter()
        DispatchQueue.global().async {
            let bytes = readAll(from: child.standardOutput)
            close(child.standardOutput)
            collected.withLock { $0.stdout = bytes }
            finished.leave()
        }
        finished.enter()
        DispatchQueue.global().async {
            let bytes = readAll(from: child.standardError)
            close(child.standardError)
            collected.withLock { $0.stderr = bytes }
            finished.leave()
        }
        finished.enter()
        DispatchQueue.global().async {
            let status = child.waitForExit()
            collected.withLock { $0.status = status }
            finished.leave()
        }

        let seconds = Double(timeLimit.components.seconds) + Double(timeLimit.components.attoseconds) / 1e18
        var timedOut = false
        if finished.wait(timeout: .now() + seconds) == .timedOut {
            timedOut = true
            child.send(SIGKILL)
            finished.wait()
        }
        let (stdout, stderr, status) = collected.withLock { ($0.stdout, $0.stderr, $0.status) }
        return CommandResult(
            commandLine: commandLine, status: status, stdout: stdout,
            stderr: String(decoding: stderr, as: UTF8.self), timedOut: timedOut)
    }

    /// Reads `descriptor` until end of file.
    static func readAll(from descriptor: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: chunk[..<count])
            } else if count == 0 || errno != EINTR {
                return bytes
            }
        }
    }

    /// Writes all of `bytes` to `descriptor`, stopping early only on an error other than EINTR.
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written >= 0 {
                offset += written
            } else if errno != EINTR {
                return
            }
        }
    }
}
