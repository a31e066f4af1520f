import AftEngine
import FoundationEssentials

/// `aft export [FILE]`: writes the store's committed history as JSON lines.
enum ExportCommand: Command {
    static let spec = CommandSpec(
        name: "export", arguments: "[FILE]",
        summary: "Write every committed transaction, with its values, as JSON lines to FILE or standard output.",
        discussion: [
            "Each line is one transaction: its id, commit stamp, mode, start time, node, the keys it wrote with their values (text, or base64 with \"encoding\":\"base64\"), and what it read. Transactions whose versions garbage collection removed are left out, because nothing of them is readable. 'aft import' reads the file into any store, so history moves between SQLite, Redis and Redis Cluster.",
        ],
        examples: ["aft export > backup.jsonl", "aft --store sqlite:old.db export | aft --store redis://127.0.0.1:6379 import"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        guard invocation.positionals.count <= 1 else {
            throw invocation.usageError("export takes at most one FILE, got \(invocation.positionals.count)")
        }
        let engine = try context.engine()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]

        var lines: [UInt8] = []
        let path = invocation.positionals.first?.text
        let report = try engine.exportCommitted { transaction throws(AftError) in
            guard let data = try? encoder.encode(transaction) else {
                throw AftError(.failed, "cannot encode transaction \(transaction.transaction) as JSON")
            }
            if path == nil {
                context.output.write(bytes: Array(data))
                context.output.write("\n")
            } else {
                lines += Array(data) + [UInt8(ascii: "\n")]
            }
        }
        if let path, !FileManager.default.createFile(atPath: path, contents: Data(lines)) {
            throw AftError(.missingInput, "cannot write export file \(Escaping.quoted(path)); check that its directory exists and is writable")
        }
        context.errors.flush()
        if !context.options.quiet {
            let skipped = report.collected > 0 ? "; left out \(Formatting.plural(report.collected, "transaction")) whose versions were collected" : ""
            context.errors.line("exported \(Formatting.plural(report.transactions, "transaction")) with \(Formatting.plural(report.versions, "version"))\(skipped)")
        }
    }
}

/// `aft import [FILE]`: reads JSON lines written by `aft export` into the store.
enum ImportCommand: Command {
    static let spec = CommandSpec(
        name: "import", arguments: "[FILE]",
        summary: "Read transactions written by 'aft export' from FILE or standard input into the store.",
        discussion: [
            "Each transaction keeps its id and commit stamp and is stored by the commit protocol: versions first, then its record, then its index entries, so a reader never sees half of one. The whole file is checked before anything is written. Importing a transaction that is already present with the same stamp changes nothing, so an interrupted import can be run again.",
        ],
        examples: ["aft --store redis://127.0.0.1:6379 import backup.jsonl"])

    static func run(_ invocation: Invocation, context: Context) throws(AftError) {
        guard invocation.positionals.count <= 1 else {
            throw invocation.usageError("import takes at most one FILE, got \(invocation.positionals.count)")
        }
        let (name, source) = try InputFile.read(argument: invocation.positionals.first)

        let engine = try context.engine()
        let decoder = JSONDecoder()
        var transactions: [Engine.PreparedImport] = []
        for (offset, line) in source.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            guard let transaction = try? decoder.decode(ExportedTransaction.self, from: Data(line)) else {
                throw AftError(.invalidInput, "\(name) line \(offset + 1) is not an exported transaction; give a file written by 'aft export'")
            }
            do throws(AftError) {
                transactions.append(try engine.prepareImport(transaction))
            } catch {
                throw AftError(error.kind, "\(name) line \(offset + 1): \(error.message)")
            }
        }

        var imported = 0
        for transaction in transactions where try engine.importTransaction(transaction) {
            imported += 1
        }
        let present = transactions.count - imported
        if context.format == .json {
            context.json([("imported", .integer(imported)), ("already_present", .integer(present))])
        } else {
            context.status("imported \(Formatting.plural(imported, "transaction"))" + (present > 0 ? "; \(present) already present" : ""))
        }
    }
}
