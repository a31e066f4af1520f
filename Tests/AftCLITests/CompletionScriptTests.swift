@testable import AftCLI
import Foundation
import Testing

@Suite struct CompletionScriptTests {
    /// The source tree's completions folder, found from this file's path.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("completions")

    static let files: [(shell: String, file: String, script: @Sendable () -> String)] = [
        ("bash", "aft.bash", CompletionScripts.bash),
        ("zsh", "_aft", CompletionScripts.zsh),
        ("fish", "aft.fish", CompletionScripts.fish),
    ]

    @Test(arguments: 0..<3)
    func committedFileMatchesGenerator(index: Int) throws {
        let entry = Self.files[index]
        let committed = try String(contentsOf: Self.folder.appendingPathComponent(entry.file), encoding: .utf8)
        #expect(committed == entry.script(), "completions/\(entry.file) drifted; regenerate it with 'aft completions \(entry.shell) > completions/\(entry.file)'")
    }

    @Test func everyCommandAndOptionIsListed() {
        let scripts = [CompletionScripts.bash(), CompletionScripts.zsh(), CompletionScripts.fish()]
        for command in CommandTable.all.map({ $0.spec }) {
            for script in scripts {
                #expect(script.contains(command.name), "missing command \(command.name)")
                for option in command.options {
                    #expect(script.contains(option.long), "missing --\(option.long) of \(command.name)")
                }
            }
        }
    }

    /// Runs a shell with `arguments` and returns its standard output, or nil when the shell is not installed.
    func run(_ shell: String, _ arguments: [String]) throws -> (status: Int32, output: String)? {
        let path = ["/usr/bin/\(shell)", "/bin/\(shell)"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func bashCompletesCommand() throws {
        let script = Self.folder.appendingPathComponent("aft.bash").path
        let result = try #require(try run("bash", ["-c", "source '\(script)' && COMP_WORDS=(aft hist) && COMP_CWORD=1 && _aft && echo \"${COMPREPLY[@]}\""]), "bash is not installed")
        #expect(result.status == 0)
        #expect(result.output == "history\n")
    }

    @Test func zshLoadsCompletion() throws {
        let script = Self.folder.appendingPathComponent("_aft").path
        let result = try #require(try run("zsh", ["-c", "autoload -U compinit && compinit -u -D && source '\(script)' && whence -w _aft"]), "zsh is not installed")
        #expect(result.status == 0)
        #expect(result.output.contains("_aft: function"))
    }

    @Test func fishCompletesCommand() throws {
        let script = Self.folder.appendingPathComponent("aft.fish").path
        let result = try #require(try run("fish", ["-c", "source '\(script)'; complete -C 'aft hist'"]), "fish is not installed")
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("history\t"))
    }
}
