import AftEngine

/// The shell reading commands from a pipe or a file: no prompts, no editing, no history.
///
/// The first failing line ends the script with that error's status, unless
/// --keep-going is given; then every line runs, and the shell exits with the status
/// of the first failure.
struct ScriptedShell {
    let session: ShellSession

    /// Runs every line and returns the exit status.
    func run() -> Int32 {
        let reader = LineReader(descriptor: 0)
        var number = 0
        var commands = 0
        var firstFailure: (line: Int, error: AftError)?
        var failures = 0

        while !session.wantsExit, let bytes = reader.next() {
            number += 1
            do throws(AftError) {
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw AftError(.invalidInput, "the line is not valid UTF-8; write bytes that are not text as \\xHH escapes inside double quotes")
                }
                if session.settings.echo { echo(text) }
                if ShellScriptLine.isCommand(text) { commands += 1 }
                try ShellLine.run(text, session: session)
            } catch {
                failures += 1
                let located = AftError(error.kind, "standard input line \(number): \(error.message)")
                if firstFailure == nil { firstFailure = (number, located) }
                session.output.flush()
                AftMain.report(located, to: session.errors, environment: session.environment)
                if !session.settings.keepGoing { break }
            }
            session.output.flush()
            session.errors.flush()
        }

        OpenTransactionsNote.report(session)
        guard let firstFailure else { return 0 }
        if session.settings.keepGoing {
            session.errors.line("aft shell: \(failures) of \(Formatting.plural(commands, "command")) failed; the first, on line \(firstFailure.line), exited with status \(firstFailure.error.kind.exitCode)")
        }
        return firstFailure.error.kind.exitCode
    }

    /// Prints a script line as if typed at the prompt; comments and blank lines print as they are.
    private func echo(_ text: String) {
        if ShellScriptLine.isCommand(text) {
            session.output.line(ShellPrompt.text(for: session) + text)
        } else {
            session.output.line(text)
        }
    }
}

/// Tells a line that runs a command from a blank line or a comment.
enum ShellScriptLine {
    static func isCommand(_ text: String) -> Bool {
        let trimmed = text.drop { $0 == " " || $0 == "\t" }
        return !trimmed.isEmpty && !trimmed.hasPrefix("#") && trimmed != "\r"
    }
}

/// The warning printed when the shell ends with transactions still open.
enum OpenTransactionsNote {
    static func report(_ session: ShellSession) {
        guard !session.open.isEmpty else { return }
        let list = session.open.map { "\($0.name) (\($0.transaction.id.short))" }.joined(separator: ", ")
        let count = session.open.count
        session.output.flush()
        session.errors.line("warning: leaving \(count == 1 ? "a transaction" : "\(count) transactions") open: \(list); \(count == 1 ? "it stays" : "they stay") running in storage until 'aft commit ID' or 'aft abort ID', or until \(count == 1 ? "its lease expires" : "their leases expire")")
        session.errors.flush()
    }
}
