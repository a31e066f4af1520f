@testable import AftCLI
import Foundation
import Testing

@Suite struct ManPageTests {
    static let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("man/aft.1")

    @Test func rendersWithoutWarnings() throws {
        let groff = Process()
        groff.executableURL = URL(fileURLWithPath: "/usr/bin/groff")
        groff.arguments = ["-man", "-Tutf8", "-ww", "-z", Self.page.path]
        let errors = Pipe()
        groff.standardError = errors
        try groff.run()
        let warnings = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        groff.waitUntilExit()
        #expect(groff.terminationStatus == 0)
        #expect(warnings.isEmpty, "groff warned: \(warnings)")
    }

    @Test func documentsEveryCommandAndOption() throws {
        // The page escapes hyphens as \-, so compare against that spelling.
        let text = try String(contentsOf: Self.page, encoding: .utf8).replacingOccurrences(of: "\\-", with: "-")
        for command in CommandTable.all.map({ $0.spec }) {
            #expect(text.contains(".B \(command.name)") || text.contains(".B aft \(command.name)"), "man page lacks command \(command.name)")
            for option in command.options {
                #expect(text.contains("--\(option.long)"), "man page lacks --\(option.long) of \(command.name)")
            }
        }
        for option in GlobalOptions.specs {
            #expect(text.contains("--\(option.long)"), "man page lacks global option --\(option.long)")
        }
        for (code, _) in HelpText.exitStatuses {
            #expect(text.contains(".B \(code)") || text.contains("\n\(code)\n") || text.contains(" \(code) "), "man page lacks exit status \(code)")
        }
        for (variable, _) in HelpText.environment {
            #expect(text.contains(variable), "man page lacks \(variable)")
        }
    }
}
