import AftEngine

/// The interactive prompt: `aft> `, or with a current transaction its name, mode when
/// not read-atomic, read and write counts and whether it aborted, as in `aft t1 r2 w1> `.
enum ShellPrompt {
    static func text(for session: ShellSession) -> String {
        guard let current = session.current else { return "aft> " }
        let transaction = current.transaction
        var parts = ["aft", current.name]
        if transaction.mode.name != ReadAtomic.name {
            parts.append(transaction.mode.name)
        }
        parts.append("r\(transaction.readSet.count)")
        parts.append("w\(transaction.writeSet.count)")
        if case .aborted = transaction.state {
            parts.append("aborted")
        }
        return parts.joined(separator: " ") + "> "
    }
}
