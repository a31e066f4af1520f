import AftEngine

/// Prints benchmark results as a table or as JSON lines.
enum BenchReport {
    static func print(_ results: [ModeResult], workload: Workload, clients: Int, seed: UInt64, context: Context) {
        if context.format == .json {
            for result in results {
                context.json(json(result, workload: workload, clients: clients, seed: seed))
            }
            return
        }
        context.output.line("workload: F=\(workload.functions) R=\(workload.readsPerFunction) W=\(workload.writesPerFunction) V=\(workload.valueSize) K=\(workload.keyCount) zipf=\(workload.zipfExponent), \(clients) clients, seed \(seed)")
        let header = ["mode", "committed", "aborted", "req/s", "p50", "p99"] + HistoryChecker.Kind.allCases.map(\.rawValue)
        var rows = [header]
        for result in results {
            rows.append([
                result.mode, String(result.committed), String(result.aborted), format(result.throughput),
                milliseconds(result.percentile(0.5)), milliseconds(result.percentile(0.99)),
            ] + HistoryChecker.Kind.allCases.map { String(result.anomalies[$0] ?? 0) })
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            let cells = row.enumerated().map { $0.offset == row.count - 1 ? $0.element : $0.element.padding(toLength: widths[$0.offset]) }
            context.output.line(cells.joined(separator: "  "))
        }
        if results.count == 2, results[1].throughput > 0 {
            context.output.line("throughput ratio \(results[0].mode)/\(results[1].mode): \(format(results[0].throughput / results[1].throughput, digits: 2))")
        }
    }

    private static func json(_ result: ModeResult, workload: Workload, clients: Int, seed: UInt64) -> [(String, JSONValue)] {
        func nanoseconds(_ duration: Duration?) -> JSONValue {
            guard let duration else { return .null }
            return .integer(Int(Engine.nanoseconds(duration)))
        }
        return [
            ("mode", .string(result.mode)), ("clients", .integer(clients)), ("seed", .string(String(seed))),
            ("functions", .integer(workload.functions)), ("reads", .integer(workload.readsPerFunction)),
            ("writes", .integer(workload.writesPerFunction)), ("value_size", .integer(workload.valueSize)),
            ("keys", .integer(workload.keyCount)), ("zipf", .string(String(workload.zipfExponent))),
            ("committed", .integer(result.committed)), ("aborted", .integer(result.aborted)),
            ("elapsed_ns", nanoseconds(result.elapsed)), ("throughput", .string(format(result.throughput))),
            ("p50_ns", nanoseconds(result.percentile(0.5))), ("p99_ns", nanoseconds(result.percentile(0.99))),
            ("anomalies", .object(HistoryChecker.Kind.allCases.map { ($0.rawValue, .integer(result.anomalies[$0] ?? 0)) })),
        ]
    }

    static func milliseconds(_ duration: Duration?) -> String {
        guard let duration else { return "-" }
        return format(Double(Engine.nanoseconds(duration)) / 1e6, digits: 2) + "ms"
    }

    static func format(_ value: Double, digits: Int = 1) -> String {
        guard value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        let text = String(rounded)
        guard let dot = text.firstIndex(of: ".") else { return text }
        let decimals = text[text.index(after: dot)...]
        return decimals.count >= digits ? text : text + String(repeating: "0", count: digits - decimals.count)
    }
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
