import AftEngine
import Glibc

/// The shell at a terminal: prompts, line editing, completion and history.
///
/// Errors never end it; Ctrl-C clears the line or stops the running command, and
/// Ctrl-D or `exit` leaves.
struct InteractiveShell {
    let session: ShellSession

    /// Runs until the user leaves and returns the exit status, 0.
    func run() throws(AftError) -> Int32 {
        UTF8Locale.select()
        Interrupts.install()
        let history = ShellHistory(environment: session.environment, enabled: session.settings.recordsHistory, errors: session.errors)
        let editor = try LineEditor(completer: completer(), output: session.output, historyEntries: history.load())

        while !session.wantsExit {
            session.output.flush()
            session.errors.flush()
            switch editor.readLine(prompt: ShellPrompt.text(for: session)) {
            case .end:
                session.output.write("\n")
                session.wantsExit = true
            case .interrupted:
                // The Ctrl-C key ends the line as Enter does; only a SIGINT from elsewhere leaves the cursor on it.
                if Interrupts.isPending { session.output.write("\n") }
            case .line(let text):
                // Completion leaves a space after the last word, which the history need not keep.
                let entry = String(text.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
                if ShellHistory.shouldRecord(entry) {
                    editor.remember(entry)
                    history.append(entry)
                }
                run(text)
            }
        }
        session.output.flush()
        OpenTransactionsNote.report(session)
        return 0
    }

    private func run(_ text: String) {
        do throws(AftError) {
            try ShellLine.run(text, session: session)
        } catch {
            session.output.flush()
            if Interrupts.isPending && error.message == Interrupts.cancelled.message {
                session.errors.line("\ninterrupted")
            } else {
                AftMain.report(error, to: session.errors, environment: session.environment)
            }
        }
    }

    private func completer() -> ShellCompleter {
        let session = session
        return ShellCompleter(
            commands: ShellCommandTable.all.map { $0.spec },
            globalOptions: GlobalOptions.specs,
            transactionNames: { session.open.map(\.name) },
            keys: { prefix in session.keys(withPrefix: prefix, limit: 64) })
    }
}

/// Makes the C library read and write UTF-8, which keys are made of and libedit needs to edit non-ASCII text.
enum UTF8Locale {
    static func select() {
        setlocale(LC_CTYPE, "")
        if String(cString: nl_langinfo(nl_item(CODESET))) != "UTF-8" {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
    }
}

extension ShellSession {
    /// Keys that start with `prefix`: the stored keys from the index, cheap range scans
    /// on the store without faults, and the current transaction's own writes.
    func keys(withPrefix prefix: String, limit: Int) -> [String] {
        guard let store = try? store() else { return [] }
        var found: [String] = []
        let start = prefix.isEmpty ? nil : try? Key(prefix)
        // The scan starts after the prefix itself, so the prefix is checked as a key of its own.
        if let start, let newest = try? store.indexedStamps(of: start, olderThan: nil, limit: 1), !newest.isEmpty {
            found.append(prefix)
        }
        let page = (try? store.indexedKeys(after: start, limit: limit)) ?? []
        for key in page {
            guard key.string.utf8.starts(with: prefix.utf8) else { break }
            found.append(key.string)
        }
        for key in current?.transaction.writeSet ?? [] where key.string.utf8.starts(with: prefix.utf8) && !found.contains(key.string) {
            found.append(key.string)
        }
        return found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
