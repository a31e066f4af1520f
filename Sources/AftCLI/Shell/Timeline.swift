import AftEngine

/// The versions of a few keys laid out per transaction, for the shell's `timeline`.
struct Timeline {
    /// One column: a committed version's transaction, or an open transaction's staged writes.
    struct Column {
        let label: String
        /// The commit stamp, or nil for staged writes.
        let stamp: CommitStamp?
        let transaction: TransactionID
    }

    /// The version of one key in one column.
    struct Cell {
        let contents: VersionValue?
        let read: Bool
        let written: Bool
        let staged: Bool
    }

    struct Row {
        let key: Key
        /// True when the current transaction read the null version of the key.
        let readNull: Bool
        /// Cells by column index.
        var cells: [Int: Cell]
    }

    static let maximumValueWidth = 16

    var columns: [Column]
    var rows: [Row]
    /// The current transaction's name, for the legend.
    let currentName: String?

    static func build(keys: [Key], limit: Int, session: ShellSession, engine: Engine) throws(AftError) -> Timeline {
        let current = session.current?.transaction
        var committed: [(Key, [CommitStamp], [VersionID: VersionValue])] = []
        for key in keys {
            let stamps = try engine.store.indexedStamps(of: key, olderThan: nil, limit: limit)
            let values = try engine.store.readVersions(stamps.map { VersionID(key: key, transaction: $0.transaction) })
            committed.append((key, stamps.reversed(), values))
        }

        var columns: [Column] = Set(committed.flatMap(\.1)).sorted().map { stamp in
            Column(label: session.names[stamp.transaction] ?? stamp.transaction.short, stamp: stamp, transaction: stamp.transaction)
        }
        let columnOfStamp = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($0.element.stamp, $0.offset) })

        // lww makes each write visible at once, so only other modes have writes staged apart from the index.
        let stagers = session.open.filter { entry in
            entry.transaction.mode.name != LastWriterWins.name && entry.transaction.isActive
                && keys.contains { entry.transaction.writeSet.contains($0) }
        }
        var stagedColumn: [TransactionID: Int] = [:]
        for entry in stagers {
            stagedColumn[entry.transaction.id] = columns.count
            columns.append(Column(label: entry.name, stamp: nil, transaction: entry.transaction.id))
        }

        var rows: [Row] = []
        for (key, stamps, values) in committed {
            let readVersion = current?.readSet[key]
            var row = Row(key: key, readNull: readVersion.map { $0 == nil } ?? false, cells: [:])
            for stamp in stamps {
                guard let index = columnOfStamp[stamp] else { continue }
                let wroteIt = current.map { $0.id == stamp.transaction && $0.writeSet.contains(key) } ?? false
                row.cells[index] = Cell(
                    contents: values[VersionID(key: key, transaction: stamp.transaction)],
                    read: readVersion == .some(stamp), written: wroteIt, staged: false)
            }
            let staged = stagers.filter { $0.transaction.writeSet.contains(key) }
            let stagedValues = try engine.store.readVersions(staged.map { VersionID(key: key, transaction: $0.transaction.id) })
            for entry in staged {
                guard let index = stagedColumn[entry.transaction.id] else { continue }
                let isCurrent = entry.transaction.id == current?.id
                row.cells[index] = Cell(
                    contents: stagedValues[VersionID(key: key, transaction: entry.transaction.id)],
                    read: false, written: isCurrent, staged: !isCurrent)
            }
            rows.append(row)
        }
        return Timeline(columns: columns, rows: rows, currentName: session.current?.name)
    }

    // MARK: Text

    /// Draws the diagram: a header of transactions, one row per key, and a legend when a cell is marked.
    func lines() -> [String] {
        var table: [[String]] = [["", "⊥"] + columns.map(\.label)]
        for row in rows {
            var line = [Escaping.token(row.key.string), row.readNull ? "(read)" : "·"]
            for index in columns.indices {
                line.append(row.cells[index].map(Timeline.text) ?? "·")
            }
            table.append(line)
        }
        let widths = (0..<table[0].count).map { column in table.map { $0[column].count }.max() ?? 0 }
        var lines = table.map { cells in
            var text = ""
            for (index, cell) in cells.enumerated() {
                text += cell + String(repeating: " ", count: widths[index] - cell.count + 2)
            }
            return String(text.reversed().drop { $0 == " " }.reversed())
        }

        let cells = rows.flatMap { $0.cells.values }
        var legend: [String] = []
        if let currentName, rows.contains(where: \.readNull) || cells.contains(where: \.read) {
            legend.append("(read) marks the version \(currentName) read")
        }
        if let currentName, cells.contains(where: \.written) {
            legend.append("(written) \(currentName)'s own write")
        }
        if cells.contains(where: \.staged) {
            legend.append("(staged) a write that is not committed yet")
        }
        if !legend.isEmpty {
            lines.append(legend.joined(separator: ", "))
        }
        return lines
    }

    private static func text(_ cell: Cell) -> String {
        var text: String = switch cell.contents {
        case .value(let bytes): truncated(Escaping.token(bytes))
        case .tombstone: "(deleted)"
        case nil: cell.staged || cell.written ? "(missing)" : "(collected)"
        }
        if cell.read { text += " (read)" }
        if cell.written { text += " (written)" }
        if cell.staged { text += " (staged)" }
        return text
    }

    private static func truncated(_ text: String) -> String {
        guard text.count > maximumValueWidth else { return text }
        return String(text.prefix(maximumValueWidth - 1)) + "…"
    }

    // MARK: JSON

    /// Returns one object per key, with its versions oldest first.
    func jsonRows() -> [[(String, JSONValue)]] {
        rows.map { row in
            let versions: [JSONValue] = columns.indices.compactMap { index in
                guard let cell = row.cells[index] else { return nil }
                let column = columns[index]
                var fields: [(String, JSONValue)] = [
                    ("transaction", .string(column.transaction.hex)), ("label", .string(column.label)),
                    ("stamp", Formatting.jsonStamp(column.stamp)), ("deleted", .bool(cell.contents == .tombstone)),
                ]
                if let bytes = cell.contents?.bytes { fields += Formatting.jsonValueFields(bytes) }
                fields += [("read", .bool(cell.read)), ("written", .bool(cell.written)), ("staged", .bool(cell.staged || (cell.written && column.stamp == nil)))]
                return .object(fields)
            }
            return [("key", .string(row.key.string)), ("read_null", .bool(row.readNull)), ("versions", .array(versions))]
        }
    }
}
