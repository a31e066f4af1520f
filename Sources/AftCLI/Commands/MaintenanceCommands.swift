import AftEngine

/// `aft gc`: deletes versions no transaction can read any more.
enum GCCommand: Command {
    static let spec = CommandSpec(
        name: "gc",
        summary: "Delete superseded versions, abort transactions whose lease expired, and remove writes that never committed.",
        discussion: [
            "A transaction's versions are deleted once every key it wrote has a newer version that became visible before the watermark: the earlier of now minus the grace period and the start of the oldest running registered transaction. Staged and partly written versions of transactions that never committed go once older than the grace period. The newest version of every key is always kept.",
            "Safe to run beside live traffic, and idempotent. A progress line goes to standard error on a terminal; the summary goes to standard output.",
        ],
        options: [
            OptionSpec("grace", value: "DURATION", help: "Keep versions superseded less than this long ago, as in 60s or 10m. Default: 60s."),
            OptionSpec("retain", value: "N", help: "Keep each key's N newest versions for inspection. Default: 1."),
            OptionSpec("dry-run", short: "n", help: "Report what would be deleted without deleting anything."),
        ],
        examples: ["aft gc", "aft gc --grace 10m --retain 5", "aft gc --dry-run --json"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        guard invocation.positionals.isEmpty else {
            throw invocation.usageError("gc takes no arguments, but got \(Escaping.quoted(invocation.positionals[0].bytes))")
        }
        var options = GarbageCollectionOptions(dryRun: invocation.flag("dry-run"))
        if let text = invocation.value("grace")?.text {
            guard let grace = DurationParser.parse(text) else {
                throw invocation.usageError("invalid --grace \(Escaping.quoted(text)); give a duration such as 60s or 10m")
            }
            options.grace = grace
        }
        if let text = invocation.value("retain")?.text {
            guard let retain = Int(text), retain >= 1 else {
                throw invocation.usageError("invalid --retain \(Escaping.quoted(text)); give a whole number of 1 or more")
            }
            options.retainedVersions = retain
        }

        let engine = try context.engine()
        let progress = ProgressLine(context: context)
        let report = try engine.collectGarbage(options) { report in
            progress.show("gc: \(report.phase): \(report.recordsScanned) records, \(report.keysScanned) keys, \(report.versionsScanned) versions scanned")
        }
        progress.finish()

        let verb = options.dryRun ? "would delete" : "deleted"
        let abortVerb = options.dryRun ? "would abort" : "aborted"
        if context.format == .json {
            context.json([
                ("dry_run", .bool(options.dryRun)), ("watermark", .string(Formatting.isoTime(report.watermark))),
                ("records_scanned", .integer(report.recordsScanned)), ("keys_scanned", .integer(report.keysScanned)),
                ("expired_transactions", .array(report.expiredTransactions.map { .string($0.hex) })),
                ("collected_transactions", .integer(report.collectedTransactions)),
                ("index_entries_deleted", .integer(report.indexEntriesDeleted)),
                ("versions_deleted", .integer(report.versionsDeleted)),
            ])
            return
        }
        if let holder = report.oldestRunning, holder.startTime == report.watermark {
            context.status("gc: running transaction \(holder.id.short), started \(Formatting.time(holder.startTime)), holds the watermark back; commit or abort it, or wait for its lease to expire")
        }
        context.status("gc: watermark \(Formatting.time(report.watermark)); scanned \(Formatting.plural(report.recordsScanned, "record")) and \(Formatting.plural(report.keysScanned, "key"))")
        context.status("gc: \(verb) \(Formatting.plural(report.versionsDeleted, "version")) of \(Formatting.plural(report.collectedTransactions, "superseded transaction")) and uncommitted writes; \(abortVerb) \(Formatting.plural(report.expiredTransactions.count, "expired transaction"))")
    }
}

/// `aft recover`: indexes committed transactions whose index step a crash skipped.
enum RecoverCommand: Command {
    static let spec = CommandSpec(
        name: "recover",
        summary: "Index committed transactions that a crash left out of the version index, and report them.",
        discussion: [
            "A crash after a transaction's commit record but before its index entries leaves it committed but invisible to readers that do not depend on it. Readers that do depend on it repair it themselves; recover repairs all of them. Safe beside live traffic, and idempotent.",
        ],
        examples: ["aft recover", "aft recover --json"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        guard invocation.positionals.isEmpty else {
            throw invocation.usageError("recover takes no arguments, but got \(Escaping.quoted(invocation.positionals[0].bytes))")
        }
        let engine = try context.engine()
        let progress = ProgressLine(context: context)
        let report = try engine.recover { report in
            progress.show("recover: \(report.recordsScanned) records scanned, \(report.repaired.count) repaired")
        }
        progress.finish()
        if context.format == .json {
            context.json([
                ("records_scanned", .integer(report.recordsScanned)),
                ("repaired", .array(report.repaired.map { .string($0.hex) })),
            ])
            return
        }
        context.status("recover: scanned \(Formatting.plural(report.recordsScanned, "record")); indexed \(Formatting.plural(report.repaired.count, "committed transaction")) that a crash left unindexed")
        for id in report.repaired {
            context.status("  \(id.short)")
        }
    }
}

/// A progress line on standard error that rewrites itself, shown only on a terminal.
final class ProgressLine {
    private let context: Context
    private let enabled: Bool
    private var lastShown: Int64 = 0

    init(context: Context) {
        self.context = context
        enabled = context.errors.isTerminal && !context.options.quiet
    }

    func show(_ text: String) {
        guard enabled else { return }
        let now = StampClock.now()
        // At most ten updates a second, so the terminal is not the bottleneck.
        guard now - lastShown > 100_000_000 else { return }
        lastShown = now
        context.errors.write("\r\u{1B}[K" + text)
        context.errors.flush()
    }

    func finish() {
        guard enabled else { return }
        context.errors.write("\r\u{1B}[K")
        context.errors.flush()
    }
}
