import Foundation
import Synchronization

/// An aft process whose standard streams are the slave side of a pseudo-terminal, as
/// in a terminal window: the test types on the master side and reads what aft draws.
///
/// The child starts through posix_spawn in a session of its own and opens the slave
/// after setsid, so the pseudo-terminal becomes its controlling terminal and Ctrl-C
/// typed on the master reaches it as SIGINT.
final class TerminalSession {
    struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    let pid: pid_t
    private let master: Int32
    private let received = Locked<[UInt8]>([])
    private let readerDone = DispatchSemaphore(value: 0)
    private var exitStatus: Int32?

    init(_ arguments: [String], environment: [String: String], columns: UInt16 = 100) throws {
        var master: Int32 = 0
        var slave: Int32 = 0
        guard openpty(&master, &slave, nil, nil, nil) == 0 else {
            throw SpawnError(description: "cannot open a pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        defer { close(slave) }
        var nameBuffer = [CChar](repeating: 0, count: 128)
        guard ttyname_r(slave, &nameBuffer, nameBuffer.count) == 0 else {
            close(master)
            throw SpawnError(description: "cannot name the pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        var size = winsize(ws_row: 30, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addclose(&actions, master)
        posix_spawn_file_actions_addclose(&actions, slave)
        posix_spawn_file_actions_addopen(&actions, 0, nameBuffer, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The test runner's threads may block or ignore SIGINT; the child starts with neither, as from a login shell.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        posix_spawnattr_setsigdefault(&attributes, &interrupt)
        // 0x80 is POSIX_SPAWN_SETSID (glibc 2.26 and later), which Swift does not import; glibc runs setsid before the file actions.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | 0x80))

        let argv = ([ShellBinary.path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, ShellBinary.path, &actions, &attributes, argv, envp)
        guard code == 0 else {
            close(master)
            throw SpawnError(description: "cannot start aft: \(String(cString: strerror(code)))")
        }
        self.pid = pid
        self.master = master

        let received = received
        let readerDone = readerDone
        let descriptor = master
        DispatchQueue.global().async {
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    received.withLock { $0.append(contentsOf: chunk[..<count]) }
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    // EIO once every slave descriptor is closed, that is, once aft has exited.
                    break
                }
            }
            readerDone.signal()
        }
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            _ = waitForExit(timeout: 5)
        }
        close(master)
    }

    /// Everything aft has drawn so far, escape sequences included.
    var transcript: String {
        String(decoding: received.withLock { $0 }, as: UTF8.self)
    }

    /// Sends keystrokes as a terminal would: "\r" is Enter, "\u{03}" Ctrl-C, "\u{04}" Ctrl-D.
    func type(_ keys: String) {
        PipedRun.writeAll(Array(keys.utf8), to: master)
    }

    /// Waits until the transcript, after its first `after` bytes, contains `text`.
    @discardableResult
    func waitFor(_ text: String, after offset: Int = 0, timeout: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        let needle = Array(text.utf8)
        while Date() < deadline {
            let bytes = received.withLock { $0 }
            if offset < bytes.count, contains(bytes[offset...], needle) { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// The number of bytes drawn so far, to wait for text that appears after this point.
    var mark: Int { received.withLock { $0.count } }

    /// Types a line and waits for what it prints; returns true when `expected` appeared.
    @discardableResult
    func run(_ line: String, expecting expected: String, timeout: TimeInterval = 10) -> Bool {
        let start = mark
        type(line + "\r")
        return waitFor(expected, after: start, timeout: timeout)
    }

    /// Waits for aft to exit and returns its exit status, or nil if it is still running.
    func waitForExit(timeout: TimeInterval = 10) -> Int32? {
        if let exitStatus { return exitStatus }
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while Date() < deadline {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                _ = readerDone.wait(timeout: .now() + 5)
                // The wait status has the exit code in bits 8 to 15 when the low 7 bits are 0 (see wait(2)).
                let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
                exitStatus = code
                return code
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return nil
    }

    private func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        var index = haystack.startIndex
        while index <= haystack.endIndex - needle.count {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
