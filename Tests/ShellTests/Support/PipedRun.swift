import Foundation
import Synchronization

/// What a finished aft process printed and how it exited.
struct PipedResult: CustomStringConvertible {
    let status: Int32
    let stdout: String
    let stderr: String

    var description: String {
        "exited \(status)\nstdout: \(stdout.debugDescription)\nstderr: \(stderr.debugDescription)"
    }
}

/// Runs aft with pipes on its standard streams.
enum PipedRun {
    private static let brokenPipeIgnored: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()

    /// Runs aft with `arguments` and `stdin`. With `mergeOutput`, standard error goes into
    /// the same pipe as standard output, so that the two interleave as on a terminal.
    static func aft(
        _ arguments: [String], stdin: String, environment: [String: String], mergeOutput: Bool = false,
        timeLimit: TimeInterval = 60
    ) throws -> PipedResult {
        _ = brokenPipeIgnored
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ShellBinary.path)
        process.arguments = arguments
        process.environment = environment
        let input = Pipe()
        let output = Pipe()
        let errors = mergeOutput ? output : Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()

        let collected = Locked<(out: [UInt8], err: [UInt8])>(([], []))
        let done = DispatchGroup()
        let writer = input.fileHandleForWriting
        DispatchQueue.global().async {
            writeAll(Array(stdin.utf8), to: writer.fileDescriptor)
            try? writer.close()
        }
        done.enter()
        DispatchQueue.global().async {
            let bytes = readAll(output.fileHandleForReading.fileDescriptor)
            collected.withLock { $0.out = bytes }
            done.leave()
        }
        if !mergeOutput {
            done.enter()
            DispatchQueue.global().async {
                let bytes = readAll(errors.fileHandleForReading.fileDescriptor)
                collected.withLock { $0.err = bytes }
                done.leave()
            }
        }
        if done.wait(timeout: .now() + timeLimit) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            done.wait()
        }
        process.waitUntilExit()
        let (out, err) = collected.withLock { ($0.out, $0.err) }
        return PipedResult(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    static func readAll(_ descriptor: Int32) -> [UInt8] {
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
