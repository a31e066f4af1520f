import Foundation

/// An aft process left running, such as `aft log --follow`, whose output the test reads as it comes.
final class RunningCommand {
    private let child: ChildProcess
    private let received = Locked<[UInt8]>([])
    private let exitStatus = Locked<Int32?>(nil)
    private let done = DispatchGroup()

    init(_ arguments: [String], in sandbox: Sandbox) throws {
        child = try ChildProcess(
            executable: AftBinary.path, arguments: arguments.map { Array($0.utf8) }, environment: sandbox.environment(),
            directory: sandbox.directory.path)
        close(child.standardInput)

        let child = child
        let received = received
        let exitStatus = exitStatus
        let done = done
        done.enter()
        DispatchQueue.global().async {
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(child.standardOutput, $0.baseAddress, $0.count) }
                if count > 0 {
                    received.withLock { $0.append(contentsOf: chunk[..<count]) }
                } else if count == 0 || errno != EINTR {
                    break
                }
            }
            close(child.standardOutput)
            done.leave()
        }
        done.enter()
        DispatchQueue.global().async {
            _ = ProcessRunner.readAll(from: child.standardError)
            close(child.standardError)
            done.leave()
        }
        done.enter()
        DispatchQueue.global().async {
            let status = child.waitForExit()
            exitStatus.withLock { $0 = status }
            done.leave()
        }
    }

    deinit {
        stop()
    }

    /// The complete lines printed so far.
    var lines: [String] {
        let text = String(decoding: received.value, as: UTF8.self)
        var pieces = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The text after the last newline is empty or a line still being written.
        pieces.removeLast()
        return pieces
    }

    /// Waits until at least `count` complete lines have arrived, the process has exited, or `timeLimit` has passed.
    func waitForLines(_ count: Int, timeLimit: Duration = .seconds(10)) -> [String] {
        let deadline = ContinuousClock.now + timeLimit
        while lines.count < count && ContinuousClock.now < deadline && exitStatus.value == nil {
            Thread.sleep(forTimeInterval: 0.02)
        }
        return lines
    }

    /// Stops the process with SIGTERM, as `kill` would, and waits for it; returns its exit status.
    @discardableResult
    func stop() -> Int32 {
        child.send(SIGTERM)
        done.wait()
        return exitStatus.value ?? -1
    }
}
