import Foundation
import Testing

/// One shell running thousands of commands, read incrementally through pipes.
@Suite struct LongSessionTests {
    /// A shell process whose standard input stays open, so the test can feed it in rounds.
    final class LiveShell {
        let process = Process()
        private let input = Pipe()
        private let output = Pipe()
        private let received = Locked<[UInt8]>([])

        init(_ scratch: Scratch) throws {
            process.executableURL = URL(fileURLWithPath: ShellBinary.path)
            process.arguments = ["shell", "-q"]
            process.environment = scratch.environment()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let received = received
            let descriptor = output.fileHandleForReading.fileDescriptor
            DispatchQueue.global().async {
                var chunk = [UInt8](repeating: 0, count: 64 * 1024)
                while true {
                    let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                    if count > 0 {
                        received.withLock { $0.append(contentsOf: chunk[..<count]) }
                    } else if count == 0 || errno != EINTR {
                        break
                    }
                }
            }
        }

        func send(_ text: String) {
            PipedRun.writeAll(Array(text.utf8), to: input.fileHandleForWriting.fileDescriptor)
        }

        /// Sends a read of a marker key and waits until its value comes back, so every earlier line has run.
        func sync(_ marker: String, timeout: TimeInterval = 60) -> Bool {
            send("put marker \(marker)\nget marker\n")
            let deadline = Date().addingTimeInterval(timeout)
            let needle = "\(marker)\n"
            while Date() < deadline {
                if String(decoding: received.withLock { $0 }, as: UTF8.self).hasSuffix(needle) { return true }
                Thread.sleep(forTimeInterval: 0.01)
            }
            return false
        }

        var text: String { String(decoding: received.withLock { $0 }, as: UTF8.self) }

        /// Resident memory in kibibytes, from /proc/PID/status.
        func residentKiB() -> Int? {
            guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8) else { return nil }
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
            return Int(line.split(separator: " ").dropFirst().first ?? "")
        }

        func finish() -> Int32 {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    /// A round of about 20 commands that exercises named transactions, one-shot commands and inspection.
    static func round(_ number: Int) -> String {
        let key = "k\(number % 10)"
        return """
            begin t1
            get \(key)
            put \(key) "value \(number)\\n"
            begin t2
            get k\((number + 1) % 10)
            put k\((number + 1) % 10) \(number)
            use t1
            explain
            timeline \(key) k\((number + 1) % 10)
            transactions
            commit t1
            abort t2
            put one=\(number) two=\(number)
            get one two
            del gone
            fault store.scan=error#1000
            fault clear
            history -n 2 \(key)

            """
    }

    @Test(.timeLimit(.minutes(2)))
    func longSessionKeepsMemoryFlat() throws {
        let scratch = try Scratch()
        let shell = try LiveShell(scratch)
        shell.send("put " + (0..<10).map { "k\($0)=0" }.joined(separator: " ") + "\n")

        for number in 0..<50 {
            shell.send(Self.round(number))
        }
        try #require(shell.sync("warm"), "the shell stopped answering: \(shell.text.suffix(2000))")
        let before = try #require(shell.residentKiB())

        // About 5,000 more commands through the same shell and node.
        for number in 50..<300 {
            shell.send(Self.round(number))
        }
        try #require(shell.sync("done"), "the shell stopped answering: \(shell.text.suffix(2000))")
        let after = try #require(shell.residentKiB())

        #expect(!shell.text.contains("error:"), "\(shell.text.suffix(2000))")
        // Generous slack: allocator and SQLite page-cache growth, not a leak of every command's state.
        #expect(after - before < 16 * 1024, "VmRSS grew from \(before) KiB to \(after) KiB")
        #expect(shell.finish() == 0)
    }
}
