import Foundation
import Testing

@Suite("several aft processes on one store")
struct ConcurrencyTests {
    /// Runs `work` on `count` threads at once and waits for all of them.
    ///
    /// Plain threads, not tasks, because each worker blocks on child processes and
    /// the cooperative pool has only as many threads as cores.
    static func runConcurrently(_ count: Int, _ work: @escaping @Sendable (Int) -> Void) {
        let finished = DispatchGroup()
        for index in 0..<count {
            finished.enter()
            let thread = Thread {
                work(index)
                finished.leave()
            }
            thread.start()
        }
        finished.wait()
    }

    @Test func writersAndReadersNeverFail() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "a=seed", "b=seed"))
        let writers = 4
        let readers = 2
        let rounds = 30
        let failures = Locked<[String]>([])
        let fractured = Locked<[String]>([])
        let reads = Locked(0)

        Self.runConcurrently(writers + readers) { worker in
            for round in 0..<rounds {
                if worker < writers {
                    let value = "w\(worker)-\(round)"
                    let put = sandbox.aft("-q", "put", "a=\(value)", "b=\(value)")
                    if put.status != 0 || !put.stderr.isEmpty || !put.stdout.isEmpty {
                        failures.withLock { $0.append("\(put)") }
                    }
                } else {
                    let get = sandbox.aft("get", "a", "b")
                    if get.status != 0 || !get.stderr.isEmpty {
                        failures.withLock { $0.append("\(get)") }
                        continue
                    }
                    let lines = get.outputLines
                    let a = lines.first.flatMap { $0.hasPrefix("a ") ? $0.dropFirst(2) : nil }
                    let b = lines.dropFirst().first.flatMap { $0.hasPrefix("b ") ? $0.dropFirst(2) : nil }
                    if lines.count != 2 || a == nil || a != b {
                        fractured.withLock { $0.append(get.output) }
                    }
                    reads.withLock { $0 += 1 }
                }
            }
        }

        #expect(failures.value.isEmpty, "\(failures.value.count) commands failed, first: \(failures.value.first ?? "")")
        #expect(!failures.value.contains { $0.contains("locked") })
        #expect(fractured.value.isEmpty, "fractured reads: \(fractured.value)")
        #expect(reads.value == readers * rounds)
        let log = try jsonObjects(sandbox.aft("--json", "log"))
        #expect(log.count == 1 + writers * rounds)
        let final = sandbox.aft("get", "a", "b")
        expectSuccess(final)
        let values = final.outputLines.map { $0.dropFirst(2) }
        #expect(values.count == 2)
        #expect(values.first == values.last)
    }

    @Test func registeredCommitsNeverFractureReads() throws {
        let sandbox = try Sandbox()
        expectSuccess(sandbox.aft("put", "a=seed", "b=seed"))
        let writers = 2
        let readers = 2
        let failures = Locked<[String]>([])
        let fractured = Locked<[String]>([])

        // Each writer stages a and b from separate processes, then commits from a third.
        Self.runConcurrently(writers + readers) { worker in
            if worker < writers {
                for round in 0..<12 {
                    let begin = sandbox.aft("begin")
                    guard begin.status == 0, let id = begin.outputLines.first else {
                        failures.withLock { $0.append("\(begin)") }
                        continue
                    }
                    let value = "w\(worker)-\(round)"
                    for result in [
                        sandbox.aft("-q", "put", "-t", id, "a", value),
                        sandbox.aft("-q", "put", "-t", id, "b", value),
                        sandbox.aft("-q", "commit", id),
                    ] where result.status != 0 || !result.stderr.isEmpty {
                        failures.withLock { $0.append("\(result)") }
                    }
                }
            } else {
                for _ in 0..<40 {
                    let get = sandbox.aft("get", "a", "b")
                    let lines = get.outputLines
                    if get.status != 0 || !get.stderr.isEmpty || lines.count != 2 {
                        failures.withLock { $0.append("\(get)") }
                    } else if lines[0].dropFirst(2) != lines[1].dropFirst(2) {
                        fractured.withLock { $0.append(get.output) }
                    }
                }
            }
        }

        #expect(failures.value.isEmpty, "\(failures.value.count) commands failed, first: \(failures.value.first ?? "")")
        #expect(fractured.value.isEmpty, "fractured reads: \(fractured.value)")
        #expect(try jsonObjects(sandbox.aft("--json", "log")).count == 1 + writers * 12)
    }

    @Test func firstUseByManyProcessesInitialisesOnce() throws {
        let sandbox = try Sandbox()
        let failures = Locked<[String]>([])

        Self.runConcurrently(6) { worker in
            let put = sandbox.aft("-q", "put", "k\(worker)=\(worker)")
            if put.status != 0 || !put.stderr.isEmpty {
                failures.withLock { $0.append("\(put)") }
            }
        }

        #expect(failures.value.isEmpty, "\(failures.value)")
        let keys = sandbox.aft("keys")
        expectSuccess(keys)
        #expect(keys.outputLines == (0..<6).map { "k\($0)" })
    }

    @Test func registeredTransactionFromSeveralProcesses() throws {
        let sandbox = try Sandbox()
        let id = try RegisteredTransactionTests.begin(sandbox)
        let failures = Locked<[String]>([])

        // Commands on one registered transaction update its record with a compare-and-set,
        // so some may lose a race and must then fail cleanly with the retry status.
        Self.runConcurrently(4) { worker in
            let put = sandbox.aft("put", "-t", id, "k\(worker)", "\(worker)")
            if put.status != 0 && put.status != 75 {
                failures.withLock { $0.append("\(put)") }
            }
        }

        #expect(failures.value.isEmpty, "\(failures.value)")
        expectSuccess(sandbox.aft("commit", id))
        let show = try jsonObject(sandbox.aft("--json", "show", id))
        let written = (show["writes"] as? [[String: Any]])?.compactMap { $0["key"] as? String } ?? []
        let visible = try jsonObjects(sandbox.aft("--json", "keys")).compactMap { $0["key"] as? String }
        #expect(Set(visible) == Set(written))
    }
}
