import Foundation
import Glibc

/// A child process started with posix_spawn, with a pipe on each standard stream.
///
/// Foundation's `Process.run()` in Swift 6.3.1 on Linux over-reads a `dirent` while it
/// lists `/proc/self/fd` and crashes the test runner now and then (fixed upstream in
/// swift-corelibs-foundation pull request 5472). It also passes the spawning thread's
/// blocked signals to the child. So the suite spawns children itself: pipes are
/// close-on-exec, so a child started on another thread never holds them open, and
/// every child starts with no blocked signals and default handlers.
final class ChildProcess: Sendable {
    struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    let pid: pid_t
    /// The parent's ends of the pipes: write to the child's stdin, read its stdout and stderr.
    let standardInput: Int32
    let standardOutput: Int32
    let standardError: Int32

    /// Set once waitid(WNOWAIT) has seen the child exit. The pid stays taken until the waiter reaps the child after that.
    private let exited = Locked(false)

    /// Held from creating a child's pipes to spawning it. The Glibc module does not import
    /// pipe2, so the pipes get FD_CLOEXEC in a second call, and no other child may be
    /// spawned in between and inherit them.
    private static let spawning = Locked(())

    /// Starts `executable` with `arguments` as raw bytes, which need not be valid UTF-8.
    init(executable: String, arguments: [[UInt8]], environment: [String: String], directory: String) throws {
        let spawned = ChildProcess.spawning.withLock { _ in
            Result { try ChildProcess.spawn(executable: executable, arguments: arguments, environment: environment, directory: directory) }
        }
        (pid, standardInput, standardOutput, standardError) = try spawned.get()
    }

    private static func makePipe() throws -> [Int32] {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else {
            throw SpawnError(description: "pipe failed: \(String(cString: strerror(errno)))")
        }
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        return descriptors
    }

    private static func spawn(
        executable: String, arguments: [[UInt8]], environment: [String: String], directory: String
    ) throws -> (pid_t, Int32, Int32, Int32) {
        let input = try makePipe()
        let output = try makePipe()
        let errors = try makePipe()

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the child's copies.
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        guard addChangeDirectory(&actions, directory) == 0 else {
            for descriptor in input + output + errors {
                close(descriptor)
            }
            throw SpawnError(description: "cannot set the working directory \(directory) for the child")
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([Array(executable.utf8)] + arguments).map(cString) + [nil]
        let envp = environment.map { cString(Array("\($0.key)=\($0.value)".utf8)) } + [nil]
        defer {
            argv.forEach { $0?.deallocate() }
            envp.forEach { $0?.deallocate() }
        }
        var pid = pid_t()
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        for descriptor in [input[0], output[1], errors[1]] {
            close(descriptor)
        }
        guard code == 0 else {
            for descriptor in [input[1], output[0], errors[0]] {
                close(descriptor)
            }
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(code)))")
        }
        return (pid, input[1], output[0], errors[0])
    }

    /// Waits for the child to exit, reaps it, and returns its exit status, or 128 + N for signal N.
    func waitForExit() -> Int32 {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        exited.withLock { $0 = true }

        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// Sends `signal` unless the child has exited.
    ///
    /// The child is not reaped before `exited` is set, so its pid cannot belong to another process here.
    func send(_ signal: Int32) {
        exited.withLock { hasExited in
            if !hasExited { kill(pid, signal) }
        }
    }

    /// Copies `bytes` into a NUL-terminated C string that the caller deallocates.
    private static func cString(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar>? {
        precondition(!bytes.contains(0), "a process argument cannot contain a NUL byte")
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
        for (index, byte) in bytes.enumerated() {
            buffer[index] = CChar(bitPattern: byte)
        }
        buffer[bytes.count] = 0
        return buffer
    }

    /// Calls posix_spawn_file_actions_addchdir_np (glibc 2.29) through dlsym, because the Glibc module does not import it.
    private static func addChangeDirectory(_ actions: inout posix_spawn_file_actions_t, _ directory: String) -> Int32 {
        typealias AddChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else { return -1 }
        return unsafeBitCast(symbol, to: AddChangeDirectory.self)(&actions, directory)
    }
}
