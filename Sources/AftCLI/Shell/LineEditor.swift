import AftEngine
import CEditLine
import Glibc

/// Line editing with libedit: emacs keys, a prompt, history and a Tab key that calls the completer.
///
/// The editor owns its EditLine and History handles and frees them in deinit. It
/// belongs to the thread that runs the shell, as libedit's state does.
final class LineEditor {
    /// The outcome of reading a line.
    enum Input: Equatable {
        case line(String)
        /// Ctrl-C abandoned the line being typed.
        case interrupted
        /// Ctrl-D on an empty line, or standard input closed.
        case end
    }

    private let editor: OpaquePointer
    private let history: OpaquePointer
    private var prompt: UnsafeMutablePointer<CChar>?
    private let completer: ShellCompleter
    private let output: OutputStream
    /// Set by the Ctrl-C key while a line is edited, so the line that el_gets returns is dropped.
    fileprivate var lineCancelled = false

    init(completer: ShellCompleter, output: OutputStream, historyEntries: [String]) throws(AftError) {
        guard let history = history_init() else {
            throw AftError(.failed, "cannot start line editing: libedit's history_init failed; run the shell with commands on standard input instead")
        }
        guard let editor = aft_el_init("aft") else {
            history_end(history)
            throw AftError(.failed, "cannot start line editing: libedit's el_init failed; check that TERM names a terminal type, or run the shell with commands on standard input")
        }
        self.editor = editor
        self.history = history
        self.completer = completer
        self.output = output

        aft_history_set_size(history, Int32(ShellHistory.maximumEntries))
        aft_history_set_unique(history, 1)
        for entry in historyEntries {
            aft_history_enter(history, entry)
        }
        aft_el_set_editor(editor, "emacs")
        aft_el_set_signal(editor, 1)
        aft_el_set_history(editor, history)
        aft_el_set_prompt(editor, promptCallback)
        aft_el_set_client_data(editor, Unmanaged.passUnretained(self).toOpaque())
        aft_el_add_function(editor, "aft-complete", "Complete a command, option, transaction name or key", completeCallback)
        aft_el_bind(editor, "^I", "aft-complete")
        // While a line is edited, Ctrl-C is a key that drops the line rather than a SIGINT,
        // which libedit would take only after one more byte of input arrives. Commands still
        // get SIGINT, because the terminal's own modes return when el_gets does.
        aft_el_set_edit_tty_mode(editor, "-isig")
        aft_el_add_function(editor, "aft-cancel-line", "Drop the line being typed", cancelCallback)
        aft_el_bind(editor, "^C", "aft-cancel-line")
        // ~/.editrc (or $EDITRC) may rebind keys, as in every libedit program.
        el_source(editor, nil)
    }

    deinit {
        el_end(editor)
        history_end(history)
        free(prompt)
    }

    /// Reads one line after showing `promptText`.
    func readLine(prompt promptText: String) -> Input {
        free(prompt)
        prompt = strdup(promptText)
        Interrupts.clear()
        lineCancelled = false
        var count: Int32 = 0
        guard let line = el_gets(editor, &count) else {
            return count == -1 && Interrupts.isPending ? .interrupted : .end
        }
        if lineCancelled || Interrupts.isPending {
            return .interrupted
        }
        var text = String(cString: line)
        if text.hasSuffix("\n") { text.removeLast() }
        return .line(text)
    }

    /// Adds a line to the history that Up and Down walk.
    func remember(_ line: String) {
        aft_history_enter(history, line)
    }

    fileprivate var promptPointer: UnsafeMutablePointer<CChar>? { prompt }

    /// Completes the word before the cursor; returns one of libedit's CC_ codes.
    fileprivate func complete() -> UInt8 {
        guard let info = el_line(editor)?.pointee, let buffer = info.buffer, let cursor = info.cursor else {
            return UInt8(CC_ERROR)
        }
        let length = buffer.distance(to: cursor)
        let before = String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
        let completion = completer.complete(before)
        guard !completion.candidates.isEmpty else { return UInt8(CC_REFRESH_BEEP) }

        if let replacement = completion.replacement {
            // el_deletestr counts characters of the edit buffer, which stores one wide character per scalar.
            el_deletestr(editor, Int32(completion.word.unicodeScalars.count))
            guard el_insertstr(editor, replacement) == 0 else { return UInt8(CC_ERROR) }
            return UInt8(CC_REFRESH)
        }
        aft_flush_stdout()
        output.write("\n" + ShellCompleter.columns(completion.candidates, width: terminalWidth()) + "\n")
        output.flush()
        return UInt8(CC_REDISPLAY)
    }

    private func terminalWidth() -> Int {
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}

private let promptCallback: aft_prompt_function = { editor in
    guard let editor, let data = aft_el_get_client_data(editor) else { return nil }
    return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().promptPointer
}

private let cancelCallback: aft_editor_function = { editor, _ in
    guard let editor, let data = aft_el_get_client_data(editor) else { return UInt8(CC_ERROR) }
    Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().lineCancelled = true
    // Replays Ctrl-E, "^C" and Enter as input, so that libedit itself shows "^C" at the end
    // of the line and moves below it. readLine then drops the line.
    el_push(editor, "\u{05}^C\r")
    return UInt8(CC_NORM)
}

private let completeCallback: aft_editor_function = { editor, _ in
    guard let editor, let data = aft_el_get_client_data(editor) else { return UInt8(CC_ERROR) }
    return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().complete()
}
