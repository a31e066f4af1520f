import Foundation

/// Runs each body on a thread of its own and waits until all have returned.
///
/// The bodies start aft processes and block until they exit, so they get threads of
/// their own instead of tasks, which would occupy the cooperative pool's few threads.
func runOnThreads(_ bodies: [@Sendable () -> Void]) {
    let finished = DispatchGroup()
    for body in bodies {
        finished.enter()
        let thread = Thread {
            body()
            finished.leave()
        }
        thread.start()
    }
    finished.wait()
}

/// Polls until `condition` is true or `timeLimit` passes, and returns the last result.
func waitUntil(timeLimit: Duration = .seconds(20), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeLimit
    while ContinuousClock.now < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return condition()
}

/// The exit status `CommandResult` reports for a process killed by SIGKILL, as a shell does.
let killedStatus: Int32 = 128 + SIGKILL
