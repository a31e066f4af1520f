import Foundation
import Glibc
import Synchronization
import Testing
@testable import AftEngine
@testable import AftStores

/// A `redis-server` on 127.0.0.1 that this test process started, on a free port, in
/// its own temporary directory.
///
/// The server runs under a small shell that checks twice a second whether the test
/// process still exists and kills the server once it does not, so the servers stop
/// however the test process ends.
final class RedisTestServer: Sendable {
    static let executable = "/usr/bin/redis-server"

    let port: Int
    let directory: URL
    private let arguments: [String]
    private let running: Mutex<RunningServer?>

    private struct RunningServer {
        let wrapperPID: pid_t
        let serverPID: pid_t
    }

    var address: String { "127.0.0.1:\(port)" }

    /// Starts a server with `arguments` added to the defaults, which turn persistence off.
    static func start(_ arguments: [String] = []) throws -> RedisTestServer {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw RedisTestError("\(executable) is missing; install the redis-server package (apt-get install redis-server)")
        }
        var lastError: (any Error)?
        // A port found free can be taken before the server binds it, so try a few.
        for _ in 0..<3 {
            let server = RedisTestServer(port: try freePort(), directory: try TemporaryDirectory.make(), arguments: arguments)
            do {
                try server.launch()
                return server
            } catch {
                lastError = error
                server.stop()
            }
        }
        throw lastError ?? RedisTestError("redis-server did not start")
    }

    private init(port: Int, directory: URL, arguments: [String]) {
        self.port = port
        self.directory = directory
        self.arguments = arguments
        self.running = Mutex(nil)
    }

    /// Starts the server process and waits until it has loaded its data and replies to PING.
    func launch() throws {
        // The subshell kills the server once the test process is gone, and `wait`
        // reaps both children, so a killed server leaves no zombie behind.
        let script = """
            parent=$1; shift
            \(RedisTestServer.executable) "$@" </dev/null >/dev/null 2>&1 &
            server=$!
            echo "$server"
            (while kill -0 "$parent" 2>/dev/null && kill -0 "$server" 2>/dev/null; do sleep 0.5; done; kill -9 "$server" 2>/dev/null) &
            wait
            """
        let (wrapperPID, output) = try spawnWithDefaultSignals(["/bin/sh", "-c", script, "redis-test-server", "\(getpid())"] + serverArguments)
        let line = String(decoding: output.availableLine(), as: UTF8.self)
        try? output.close()
        guard let serverPID = pid_t(line) else {
            throw RedisTestError("the redis-server wrapper printed \(line.debugDescription) instead of a process id")
        }
        running.withLock { $0 = RunningServer(wrapperPID: wrapperPID, serverPID: serverPID) }
        try waitUntilReady()
    }

    private var serverArguments: [String] {
        [
            "--port", "\(port)", "--bind", "127.0.0.1", "--dir", directory.path,
            "--logfile", directory.appendingPathComponent("redis.log").path,
            "--save", "", "--appendonly", "no", "--daemonize", "no",
        ] + arguments
    }

    /// Kills the server with SIGKILL, as a crash would, and waits until its port is closed.
    func kill() throws {
        stop()
        let deadline = Date().addingTimeInterval(10)
        while RedisTestServer.accepts(port: port) {
            guard Date() < deadline else { throw RedisTestError("redis-server on port \(port) still accepts connections after SIGKILL") }
            usleep(10_000)
        }
    }

    /// Kills the server and reaps its wrapper, which exits once the server is gone.
    func stop() {
        let server = running.withLock { state in
            defer { state = nil }
            return state
        }
        guard let server else { return }
        Glibc.kill(server.serverPID, SIGKILL)
        var status: Int32 = 0
        waitpid(server.wrapperPID, &status, 0)
    }

    /// Sends one command to the server over a fresh connection and returns the reply.
    func command(_ arguments: String..., password: String? = nil) throws -> RedisReply {
        try rawCommand(arguments.map { Array($0.utf8) }, password: password)
    }

    func rawCommand(_ arguments: [[UInt8]], password: String? = nil) throws -> RedisReply {
        let connection = try RedisConnection(
            address: RedisAddress(host: "127.0.0.1", port: port),
            handshake: RedisHandshake(credentials: password.map { RedisCredentials(user: nil, password: $0) }, database: 0))
        return try connection.run([RedisCommand(arguments: arguments, routingKey: nil)])[0]
    }

    /// Waits until the server accepts connections and has loaded its data, which
    /// it reports by replying LOADING to PING until then.
    private func waitUntilReady() throws {
        let deadline = Date().addingTimeInterval(10)
        while !isReady() {
            guard Date() < deadline else {
                let log = (try? String(contentsOf: directory.appendingPathComponent("redis.log"), encoding: .utf8)) ?? ""
                throw RedisTestError("redis-server on port \(port) was not ready within 10 s; log:\n\(log.suffix(2000))")
            }
            usleep(10_000)
        }
    }

    /// True when PING gets PONG, or NOAUTH from a server that requires a password.
    private func isReady() -> Bool {
        guard RedisTestServer.accepts(port: port), let reply = try? command("PING") else { return false }
        switch reply {
        case .status("PONG"): return true
        case .error(let message): return message.hasPrefix("NOAUTH")
        default: return false
        }
    }

    /// True when something accepts TCP connections on 127.0.0.1:`port`.
    static func accepts(port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0
    }

    /// Returns a port on 127.0.0.1 that was free a moment ago: the kernel's pick for port 0.
    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw RedisTestError("socket() failed: errno \(errno)") }
        defer { close(socket) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw RedisTestError("bind() to port 0 failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(socket, $0, &length)
            }
        }
        guard named == 0 else { throw RedisTestError("getsockname() failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}

/// Starts `arguments` with an empty signal mask, default signal handlers and only
/// the standard descriptors open, and returns its process id and the read end of
/// its standard output.
///
/// Foundation's Process passes on the spawning thread's signal mask, which under the
/// test runner blocks SIGTERM and SIGCHLD, and then the shell's `wait` never
/// returns. Foundation also learns that a child exited when the child's end of a
/// socket pair closes, so a long-lived process that inherited that end from a
/// concurrent spawn would hide the exit of another test's child.
private func spawnWithDefaultSignals(_ arguments: [String]) throws -> (pid_t, FileHandle) {
    // glibc declares this only with _GNU_SOURCE, which Swift's Glibc module does not set.
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
        throw RedisTestError("posix_spawn_file_actions_addclosefrom_np is missing; the tests need glibc 2.34 or later")
    }
    let addCloseFrom = unsafeBitCast(symbol, to: AddCloseFrom.self)

    var pipeEnds: [Int32] = [0, 0]
    guard pipe(&pipeEnds) == 0 else { throw RedisTestError("pipe() failed: errno \(errno)") }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    _ = addCloseFrom(&actions, 3)

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var emptyMask = sigset_t()
    sigemptyset(&emptyMask)
    var allSignals = sigset_t()
    sigfillset(&allSignals)
    posix_spawnattr_setsigmask(&attributes, &emptyMask)
    posix_spawnattr_setsigdefault(&attributes, &allSignals)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    let argv = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let code = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
    close(pipeEnds[1])
    guard code == 0 else {
        close(pipeEnds[0])
        throw RedisTestError("posix_spawn of \(arguments[0]) failed: \(String(cString: strerror(code)))")
    }
    return (pid, FileHandle(fileDescriptor: pipeEnds[0], closeOnDealloc: true))
}

/// Three primaries of a Redis Cluster with every slot assigned, and no replicas.
final class RedisTestCluster: Sendable {
    let nodes: [RedisTestServer]

    var seedList: String { nodes.map(\.address).joined(separator: ",") }

    static func start() throws -> RedisTestCluster {
        var nodes: [RedisTestServer] = []
        for _ in 0..<3 {
            // Each node needs a second port for the cluster bus; cluster-port sets it (Redis 7.0 and later).
            nodes.append(try RedisTestServer.start([
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-port", "\(try RedisTestServer.freePort())", "--cluster-node-timeout", "5000",
            ]))
        }
        let cluster = RedisTestCluster(nodes: nodes)
        try cluster.create()
        return cluster
    }

    private init(nodes: [RedisTestServer]) {
        self.nodes = nodes
    }

    private func create() throws {
        let output = try TemporaryDirectory.make().appendingPathComponent("cluster-create.log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        let cli = Process()
        cli.executableURL = URL(fileURLWithPath: "/usr/bin/redis-cli")
        cli.arguments = ["--cluster", "create"] + nodes.map(\.address) + ["--cluster-replicas", "0", "--cluster-yes"]
        cli.standardInput = FileHandle.nullDevice
        cli.standardOutput = handle
        cli.standardError = handle
        try cli.run()
        cli.waitUntilExit()
        try handle.close()
        guard cli.terminationStatus == 0 else {
            let log = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            throw RedisTestError("redis-cli --cluster create exited with \(cli.terminationStatus):\n\(log.suffix(2000))")
        }

        let deadline = Date().addingTimeInterval(30)
        while try !isReady() {
            guard Date() < deadline else { throw RedisTestError("the test cluster \(seedList) did not reach cluster_state:ok within 30 s") }
            usleep(50_000)
        }
    }

    /// True when every node reports cluster_state:ok and lists all three primaries in CLUSTER SLOTS.
    private func isReady() throws -> Bool {
        for node in nodes {
            guard try node.command("CLUSTER", "INFO").text?.contains("cluster_state:ok") == true,
                  try node.command("CLUSTER", "SLOTS").elements?.count == nodes.count
            else { return false }
        }
        return true
    }

    /// Returns the node that serves `slot`, from CLUSTER SLOTS.
    func owner(of slot: Int) throws -> RedisTestServer {
        for range in try nodes[0].command("CLUSTER", "SLOTS").elements ?? [] {
            guard let fields = range.elements, let start = fields[0].integer, let end = fields[1].integer,
                  (Int(start)...Int(end)).contains(slot), let port = fields[2].elements?[1].integer
            else { continue }
            if let node = nodes.first(where: { $0.port == Int(port) }) { return node }
        }
        throw RedisTestError("no node of \(seedList) serves slot \(slot)")
    }
}

/// Servers shared by every test in this process, each started on first use.
enum RedisFixtures {
    static let password = "test-secret-\(UUID().uuidString)"

    static let single = Result { try RedisTestServer.start() }
    static let cluster = Result { try RedisTestCluster.start() }
    /// A server that requires `password`, for the authentication tests.
    static let guarded = Result { try RedisTestServer.start(["--requirepass", password]) }

    /// Returns a key prefix that no other test uses, so that tests sharing a server never see each other's keys.
    static func uniquePrefix(_ label: String = "test") -> String {
        "\(label)-\(UUID().uuidString.prefix(13)):"
    }

    static func singleURL(prefix: String = uniquePrefix()) throws -> String {
        "redis://\(try single.get().address)/0?prefix=\(prefix)"
    }

    static func clusterURL(prefix: String = uniquePrefix()) throws -> String {
        "redis+cluster://\(try cluster.get().seedList)?prefix=\(prefix)"
    }
}

struct RedisTestError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

extension FileHandle {
    /// Reads up to the first newline, or to the end of input.
    func availableLine() -> [UInt8] {
        var line: [UInt8] = []
        while let byte = try? read(upToCount: 1), let first = byte.first, first != UInt8(ascii: "\n") {
            line.append(first)
        }
        return line
    }
}
