@testable import AftCLI
import Testing

@Suite struct HelpTextTests {
    @Test func statsHelpIsExact() {
        let expected = """
            Count the store's keys, versions, index entries and transactions by status.

            usage: aft stats

            examples:
              aft stats
              aft stats --json

            Global options (--store, --json, …) are listed by 'aft --help'.

            """
        #expect(HelpText.command(StatsCommand.spec) == expected)
    }

    @Test func overviewListsEveryCommandAndExitStatus() {
        let overview = HelpText.overview()
        for command in CommandTable.all {
            #expect(overview.contains("  \(command.spec.name) "), "missing \(command.spec.name)")
        }
        for (code, _) in HelpText.exitStatuses {
            #expect(overview.contains("  \(code) "), "missing exit status \(code)")
        }
    }

    @Test func tableWrapsAtEightyColumns() {
        let table = HelpText.table([("name", String(repeating: "word ", count: 40))])
        for line in table.split(separator: "\n") {
            #expect(line.count <= 80)
        }
    }
}
