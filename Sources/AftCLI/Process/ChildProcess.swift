import AftEngine
import Glibc

/// Runs a command as a child process that shares this process's standard streams.
enum ChildProcess {
    /// The way a child process ended.
    enum Termination: Equatable {
        case exited(Int32)
        case signaled(Int32)

        var succeeded: Bool { self == .exited(0) }

        var description: String {
            switch self {
            case .exited(let status): "exited with status \(status)"
            case .signaled(let signal): "was killed by signal \(signal)"
            }
        }
    }

    /// Starts `arguments` (the first is looked up on PATH) with `environment` and waits for it.
    static func run(_ arguments: [[UInt8]], environment: [String: String]) throws(AftError) -> Termination {
        let name = String(decoding: arguments[0], as: UTF8.self)
        let argv = arguments.map { bytes in strdupBytes(bytes) } + [nil]
        let envp = environment.map { strdupBytes(Array("\($0.key)=\($0.value)".utf8)) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }

        var pid: pid_t = 0
        guard let program = argv[0] else {
            throw AftError(.failed, "out of memory while starting \(Escaping.quoted(name))")
        }
        let code = posix_spawnp(&pid, program, nil, nil, argv, envp)
        guard code == 0 else {
            let reason = String(cString: strerror(code))
            let kind: AftError.Kind = code == ENOENT ? .missingInput : .failed
            throw AftError(kind, "cannot run \(Escaping.quoted(name)): \(reason); check the command name and PATH")
        }

        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else {
                throw AftError(.failed, "lost track of command \(Escaping.quoted(name)) (pid \(pid)): \(String(cString: strerror(errno))); check whether it is still running")
            }
        }
        // The WIFEXITED family are macros, so decode the wait status by hand (see wait(2)).
        let signalNumber = status & 0x7F
        return signalNumber == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signalNumber)
    }

    /// Starts `arguments` with standard output on a pipe and returns the child's pid and the pipe's read end.
    static func spawnCapturingOutput(_ arguments: [[UInt8]], environment: [String: String]) throws(AftError) -> (pid: pid_t, output: Int32) {
        let name = String(decoding: arguments[0], as: UTF8.self)
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else {
            throw AftError(.failed, "cannot make a pipe for \(Escaping.quoted(name)): \(String(cString: strerror(errno))); close some files and retry")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[0])

        let argv = arguments.map { bytes in strdupBytes(bytes) } + [nil]
        let envp = environment.map { strdupBytes(Array("\($0.key)=\($0.value)".utf8)) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let code = argv[0].map { posix_spawnp(&pid, $0, &actions, nil, argv, envp) } ?? ENOMEM
        close(pipeEnds[1])
        guard code == 0 else {
            close(pipeEnds[0])
            throw AftError(.failed, "cannot run \(Escaping.quoted(name)): \(String(cString: strerror(code)))")
        }
        return (pid, pipeEnds[0])
    }

    /// Waits for a child started by ``spawnCapturingOutput(_:environment:)``.
    static func wait(for pid: pid_t) -> Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let signalNumber = status & 0x7F
        return signalNumber == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signalNumber)
    }

    private static func strdupBytes(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar>? {
        guard let pointer = malloc(bytes.count + 1)?.assumingMemoryBound(to: CChar.self) else { return nil }
        bytes.withUnsafeBytes { buffer in
            if let base = buffer.baseAddress { memcpy(pointer, base, bytes.count) }
        }
        pointer[bytes.count] = 0
        return pointer
    }
}
