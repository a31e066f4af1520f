import AftEngine

/// Draws benchmark results as an SVG chart: throughput, latency percentiles and anomalies per mode.
enum BenchPlot {
    static let width = 960
    static let panelHeight = 260
    static let colors = ["#2b6cb0", "#c05621", "#2f855a", "#6b46c1"]

    static func svg(_ results: [ModeResult], title: String) -> String {
        var body = ""
        body += panel(
            index: 0, title: "Throughput (requests per second)",
            groups: [("throughput", results.map { ($0.mode, $0.throughput) })])
        body += panel(
            index: 1, title: "Latency (milliseconds)",
            groups: [
                ("p50", results.map { ($0.mode, milliseconds($0.percentile(0.5))) }),
                ("p99", results.map { ($0.mode, milliseconds($0.percentile(0.99))) }),
            ])
        body += panel(
            index: 2, title: "Anomalies (count)",
            groups: HistoryChecker.Kind.allCases.map { kind in
                (kind.rawValue, results.map { ($0.mode, Double($0.anomalies[kind] ?? 0)) })
            })
        var legend = ""
        for (position, result) in results.enumerated() {
            let x = 40 + position * 160
            legend += "<rect x=\"\(x)\" y=\"38\" width=\"14\" height=\"14\" fill=\"\(colors[position % colors.count])\"/>"
            legend += "<text x=\"\(x + 20)\" y=\"50\">\(escape(result.mode))</text>"
        }
        let height = 70 + 3 * panelHeight
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" font-family="sans-serif" font-size="13">
            <rect width="100%" height="100%" fill="white"/>
            <text x="40" y="24" font-size="16" font-weight="bold">\(escape(title))</text>
            \(legend)
            \(body)
            </svg>

            """
    }

    /// Draws one panel of grouped bars, each group holding one bar per mode.
    private static func panel(index: Int, title: String, groups: [(String, [(String, Double)])]) -> String {
        let top = 70 + index * panelHeight
        let chartTop = top + 30
        let chartHeight = panelHeight - 80
        let left = 60
        let chartWidth = width - left - 40
        let maximum = max(groups.flatMap { $0.1.map(\.1) }.max() ?? 0, 1)
        var text = "<text x=\"\(left)\" y=\"\(top + 16)\" font-weight=\"bold\">\(escape(title))</text>"
        text += "<line x1=\"\(left)\" y1=\"\(chartTop + chartHeight)\" x2=\"\(left + chartWidth)\" y2=\"\(chartTop + chartHeight)\" stroke=\"#444\"/>"
        let groupWidth = chartWidth / max(groups.count, 1)
        for (groupIndex, (label, bars)) in groups.enumerated() {
            let groupLeft = left + groupIndex * groupWidth
            let barWidth = max(8, (groupWidth - 40) / max(bars.count, 1))
            for (barIndex, (_, value)) in bars.enumerated() {
                let barHeight = Int(Double(chartHeight) * value / maximum)
                let x = groupLeft + 20 + barIndex * barWidth
                let y = chartTop + chartHeight - barHeight
                text += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(barWidth - 4)\" height=\"\(barHeight)\" fill=\"\(colors[barIndex % colors.count])\"/>"
                text += "<text x=\"\(x + (barWidth - 4) / 2)\" y=\"\(y - 4)\" text-anchor=\"middle\" font-size=\"11\">\(value == value.rounded() ? String(Int(value)) : BenchReport.format(value))</text>"
            }
            text += "<text x=\"\(groupLeft + groupWidth / 2)\" y=\"\(chartTop + chartHeight + 18)\" text-anchor=\"middle\">\(escape(label))</text>"
        }
        return text + "\n"
    }

    private static func milliseconds(_ duration: Duration?) -> Double {
        guard let duration else { return 0 }
        return Double(Engine.nanoseconds(duration)) / 1e6
    }

    private static func escape(_ text: String) -> String {
        text.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;").replacingAll(">", with: "&gt;").replacingAll("\"", with: "&quot;")
    }
}
