import AftEngine
import Glibc
import Synchronization

/// Ctrl-C in the interactive shell: a SIGINT handler that only counts, and the checks that read the count.
///
/// A command cannot be stopped from outside, so it stops itself: ``NodeStore`` throws
/// ``Interrupts/cancelled`` at its next interruptible store call once the count is
/// non-zero. The shell clears the count before each command.
///
/// NOTE: a command that waits outside the store, such as an injected `delay=` fault or
/// the backoff of `run`, finishes that wait before Ctrl-C stops it.
enum Interrupts {
    /// SIGINTs received since the last ``clear()``; an atomic store is async-signal-safe.
    private static let count = Atomic<Int>(0)

    /// The error a command ends with when Ctrl-C stopped it.
    static let cancelled = AftError(.failed, "interrupted by Ctrl-C")

    /// Installs the counting handler for SIGINT. Without SA_RESTART, a SIGINT that arrives
    /// while libedit waits for a key ends el_gets, and the shell drops the line.
    static func install() {
        clear()
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in Interrupts.count.add(1, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        // A parent may have started aft with SIGINT blocked, and posix_spawn passes the mask on.
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        sigaddset(&unblocked, SIGINT)
        sigprocmask(SIG_UNBLOCK, &unblocked, nil)
    }

    static var isPending: Bool { count.load(ordering: .relaxed) > 0 }

    static func clear() {
        count.store(0, ordering: .relaxed)
    }

    /// Throws ``cancelled`` when Ctrl-C was pressed since the command began.
    static func check() throws(AftError) {
        if isPending { throw cancelled }
    }
}
