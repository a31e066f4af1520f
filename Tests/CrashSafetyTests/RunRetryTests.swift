import AftEngine
import Foundation
import Testing

/// `aft run` with commands that die half-way through their writes, and `aft run` itself killed.
@Suite("aft run under crashes")
struct RunRetryTests {
    /// A request: read the counter, write counter+1, then write log:REQUEST and last.
    ///
    /// With FAIL_ATTEMPTS=2, attempt 1 dies when the aft process writing log:REQUEST is
    /// killed while staging, and attempt 2 writes counter and log:REQUEST and then the
    /// shell kills itself. Every attempt appends a line to invocations, so a test can
    /// count runs.
    static let requestScript = """
        set -e
        request=$1
        echo "$request $AFT_ATTEMPT" >> "$DIR/invocations"
        count=$("$AFT" --raw get counter)
        next=$((count + 1))
        "$AFT" -q put counter "$next"
        case "${FAIL_ATTEMPTS:-0}:$AFT_ATTEMPT" in
        2:1) AFT_FAULTS=write.after:1=crash "$AFT" -q put "log:$request" "$next" ;;
        2:2) "$AFT" -q put "log:$request" "$next"; kill -KILL $$ ;;
        esac
        "$AFT" -q put "log:$request" "$next"
        "$AFT" -q put last "$request"
        """

    static let requestCount = 5

    /// The keys a reader reads: the counter, the last request number and every request's log key.
    static let readKeys = ["counter", "last"] + (1...requestCount).map { "log:\($0)" }

    @Test func retriedRequestsAppearWholeAndOnce() throws {
        let sandbox = try Sandbox()
        let script = try sandbox.write(Array(Self.requestScript.utf8), to: "request.sh")
        #expect(sandbox.aft("put", "counter=0", "last=0").status == 0)

        let done = Locked(false)
        let reads = Locked<[GroupRead]>([])
        let runs = Locked<[CommandResult]>([])
        let environment = ["DIR": sandbox.directory.path, "FAIL_ATTEMPTS": "2"]
        let requests: @Sendable () -> Void = {
            for request in 1...Self.requestCount {
                let run = sandbox.aft(
                    ["run", "--retries", "3", "--backoff", "10ms", "--", "/bin/sh", script, String(request)],
                    environment: environment)
                runs.withLock { $0.append(run) }
            }
            done.withLock { $0 = true }
        }
        let reader: @Sendable (Bool) -> Void = { registered in
            var generator = SystemRandomNumberGenerator()
            repeat {
                let order = Self.readKeys.shuffled(using: &generator)
                let read = registered ? sandbox.readInRegisteredTransaction(order) : sandbox.readAtOnce(order)
                reads.withLock { $0.append(read) }
            } while !done.value
        }
        runOnThreads([requests, { reader(false) }, { reader(true) }])

        for run in runs.value {
            #expect(run.status == 0, "\(run)")
            #expect(run.stderr.contains("attempt 1: command exited with status \(killedStatus)"), "\(run)")
            #expect(run.stderr.contains("attempt 2: command was killed by signal \(SIGKILL)"), "\(run)")
            #expect(run.stderr.contains("attempt 3: command exited with status 0; committed"), "\(run)")
        }
        let invocations = String(decoding: sandbox.contents(of: sandbox.path("invocations")) ?? [], as: UTF8.self)
        #expect(invocations.split(separator: "\n").count == 3 * Self.requestCount, "\(invocations)")

        #expect(reads.value.count >= 2, "the readers barely ran")
        for read in reads.value {
            #expect(read.failure == nil, "\(read)")
            #expect(Self.requestsApplied(by: read) != nil, "a partial or doubled request is visible: \(read)")
        }
        let final = sandbox.readAtOnce(Self.readKeys)
        #expect(Self.requestsApplied(by: final) == Self.requestCount, "\(final)")
    }

    @Test func sameIdAppliesRequestOnce() throws {
        let sandbox = try Sandbox()
        let script = try sandbox.write(Array(Self.requestScript.utf8), to: "request.sh")
        #expect(sandbox.aft("put", "counter=0", "last=0").status == 0)
        let environment = ["DIR": sandbox.directory.path, "FAIL_ATTEMPTS": "2"]
        let arguments = ["run", "--id", "request-1", "--backoff", "10ms", "--", "/bin/sh", script, "1"]

        let first = sandbox.aft(arguments, environment: environment)
        #expect(first.status == 0, "\(first)")
        #expect(first.stderr.contains("attempt 3: command exited with status 0; committed"), "\(first)")
        let second = sandbox.aft(arguments, environment: environment)
        #expect(second.status == 0, "\(second)")
        #expect(second.stderr.contains("request \"request-1\" already committed"), "\(second)")

        let invocations = String(decoding: sandbox.contents(of: sandbox.path("invocations")) ?? [], as: UTF8.self)
        #expect(invocations == "1 1\n1 2\n1 3\n", "the second run must not run the command")
        let final = sandbox.readAtOnce(Self.readKeys)
        #expect(Self.requestsApplied(by: final) == 1, "\(final)")
    }

    /// A request that stops half-way until the test creates go-RUN, so that the test can
    /// kill `aft run` while the command is between its writes.
    ///
    /// Its output goes to files rather than the pipes it inherits from `aft run`, so the
    /// test can collect the killed `aft run` while this command still runs. It waits for
    /// go-RUN at most about 30 seconds, so a failed test leaves no process behind.
    static let pausingScript = """
        set -e
        exec >> "$DIR/output-$RUN" 2>> "$DIR/errors-$RUN"
        trap 'echo $? > "$DIR/exit-$RUN"' EXIT
        count=$("$AFT" --raw get counter)
        "$AFT" -q put counter $((count + 1))
        echo "$PPID" > "$DIR/run-$RUN.pid.tmp"
        mv "$DIR/run-$RUN.pid.tmp" "$DIR/run-$RUN.pid"
        waited=0
        while [ ! -e "$DIR/go-$RUN" ] && [ $waited -lt 3000 ]; do sleep 0.01; waited=$((waited + 1)); done
        "$AFT" -q put log:1 $((count + 1))
        "$AFT" -q put last 1
        """

    @Test func killedRunRerunAppliesOnce() throws {
        let sandbox = try Sandbox()
        let script = try sandbox.write(Array(Self.pausingScript.utf8), to: "pausing.sh")
        #expect(sandbox.aft("put", "counter=0", "last=0").status == 0)
        let arguments = ["run", "--id", "request-1", "--backoff", "10ms", "--", "/bin/sh", script]

        // Run 1: kill aft run with SIGKILL while its command waits between two writes.
        let killedRun = Locked<CommandResult?>(nil)
        let killer: @Sendable () -> Void = {
            let pidFile = sandbox.path("run-1.pid")
            guard waitUntil({ sandbox.contents(of: pidFile) != nil }),
                let text = sandbox.contents(of: pidFile), let pid = pid_t(String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            else { return }
            kill(pid, SIGKILL)
        }
        runOnThreads([
            { killedRun.withLock { $0 = sandbox.aft(arguments, environment: ["DIR": sandbox.directory.path, "RUN": "1"]) } },
            killer,
        ])
        let first = try #require(killedRun.value)
        #expect(!first.timedOut, "the command of run 1 never wrote its pid file; \(first)")
        #expect(first.status == killedStatus, "aft run must have died by SIGKILL; \(first)")

        // Run 2 with the same id: it aborts the dead attempt and applies the request in a new one.
        try sandbox.write([], to: "go-2")
        let second = sandbox.aft(arguments, environment: ["DIR": sandbox.directory.path, "RUN": "2"])
        #expect(second.status == 0, "\(second)")
        #expect(sandbox.readAtOnce(["counter", "log:1", "last"]).entries.map(\.value) == ["1", "1", "1"])

        // The command of run 1 outlived its aft run; its remaining writes must be rejected.
        try sandbox.write([], to: "go-1")
        #expect(waitUntil { sandbox.contents(of: sandbox.path("exit-1")) != nil }, "the orphaned command of run 1 never finished")
        let orphanExit = String(decoding: sandbox.contents(of: sandbox.path("exit-1")) ?? [], as: UTF8.self)
        let orphanErrors = String(decoding: sandbox.contents(of: sandbox.path("errors-1")) ?? [], as: UTF8.self)
        #expect(orphanExit == "\(AftError.Kind.retryableAbort.exitCode)\n", "a write into the aborted attempt must fail with status 75; \(orphanErrors)")
        #expect(orphanErrors.contains("was aborted"), "\(orphanErrors)")

        let third = sandbox.aft(arguments, environment: ["DIR": sandbox.directory.path, "RUN": "3"])
        #expect(third.status == 0, "\(third)")
        #expect(third.stderr.contains("already committed"), "\(third)")
        #expect(sandbox.contents(of: sandbox.path("exit-3")) == nil, "a committed request must not run again")
        let final = sandbox.readAtOnce(["counter", "log:1", "last"])
        #expect(final.entries.map(\.value) == ["1", "1", "1"], "\(final)")

        let inspector = try StoreInspector(path: sandbox.storePath)
        #expect(try inspector.record(of: TransactionID(idempotencyKey: "request-1#0"))?.status == .aborted)
        #expect(try inspector.record(of: TransactionID(idempotencyKey: "request-1#1"))?.status == .committed)
    }

    /// Faults armed in `aft run` itself, which its command's aft processes do not inherit.
    static let runCrashes: [(fault: String, committedBeforeCrash: Bool)] = [
        ("commit.before-versions=crash", false),
        ("store.put=crash#2", false),
        ("commit.after-record=crash", true),
        ("store.put=crash#3", true),
        ("commit.after-index=crash", true),
    ]

    @Test(arguments: runCrashes)
    func crashedRunRerunAppliesOnce(fault: String, committedBeforeCrash: Bool) throws {
        let sandbox = try Sandbox()
        let script = try sandbox.write(Array(Self.requestScript.utf8), to: "request.sh")
        #expect(sandbox.aft("put", "counter=0", "last=0").status == 0)
        let environment = ["DIR": sandbox.directory.path]
        let arguments = ["run", "--id", "request-1", "--", "/bin/sh", script, "1"]

        let crashed = sandbox.aft(["--fault", fault] + arguments, environment: environment)
        #expect(crashed.status == killedStatus, "aft run must have died by SIGKILL; \(crashed)")
        let afterCrash = sandbox.readAtOnce(Self.readKeys)
        #expect(Self.requestsApplied(by: afterCrash) != nil, "a partial request is visible: \(afterCrash)")

        let rerun = sandbox.aft(arguments, environment: environment)
        #expect(rerun.status == 0, "\(rerun)")
        #expect(rerun.stderr.contains("already committed") == committedBeforeCrash, "\(rerun)")
        let invocations = String(decoding: sandbox.contents(of: sandbox.path("invocations")) ?? [], as: UTF8.self)
        #expect(invocations.split(separator: "\n").count == (committedBeforeCrash ? 1 : 2), "\(invocations)")

        let final = sandbox.readAtOnce(Self.readKeys)
        #expect(Self.requestsApplied(by: final) == 1, "the request must be visible exactly once after the rerun acknowledged it: \(final)")
    }

    @Test
    func errorStatusSurvivesClosedStderr() throws {
        let sandbox = try Sandbox()
        let id = try CrashPointTests.begin(in: sandbox)
        #expect(sandbox.aft("abort", id).status == 0)

        // The reader of the pipe, true, exits at once; aft starts writing its error 300 ms later.
        let script = """
            { sleep 0.3; "$AFT" put -t \(id) k v; echo $? > status; } 2>&1 >/dev/null | true
            """
        _ = sandbox.shell(script)
        let status = String(decoding: sandbox.contents(of: sandbox.path("status")) ?? [], as: UTF8.self)
        #expect(status == "\(AftError.Kind.retryableAbort.exitCode)\n", "a put into an aborted transaction must exit 75 whatever happens to its error message")
    }

    /// Returns the number of requests a read shows applied, or nil when it shows no state
    /// that whole requests could leave.
    ///
    /// Requests run one after another, so after request i the counter and last are i
    /// and log:1 … log:i hold 1 … i, with no later log key.
    static func requestsApplied(by read: GroupRead) -> Int? {
        guard read.failure == nil else { return nil }
        let values = Dictionary(read.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        guard let counterText = values["counter"] ?? nil, let applied = Int(counterText) else { return nil }
        guard values["last"] == counterText else { return nil }
        for request in 1...requestCount where values.keys.contains("log:\(request)") {
            let expected = request <= applied ? String(request) : nil
            guard values["log:\(request)"] == expected else { return nil }
        }
        return applied
    }
}
