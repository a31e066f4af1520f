import Foundation
import Testing

/// The source tree's root, found from this file's path.
private let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

@Suite struct ExampleScriptTests {
    @Test func concurrentTransfersKeepTotalForReaders() throws {
        let sandbox = try Sandbox()
        #expect(sandbox.aft("put", "balance:alice=100", "balance:bob=100").status == 0)
        let examples = sourceRoot.appendingPathComponent("examples").path
        // Three writers move money both ways while a reader checks the total after every read.
        let script = """
            for worker in 1 2 3; do
                ( for round in 1 2 3 4 5 6; do
                    if [ $((round % 2)) -eq 0 ]; then
                        '\(examples)/transfer.sh' balance:alice balance:bob $worker >/dev/null 2>&1
                    else
                        '\(examples)/transfer.sh' balance:bob balance:alice $((worker + 1)) >/dev/null 2>&1
                    fi
                done ) &
            done
            '\(examples)/check-balances.sh' -n 40 balance:alice balance:bob
            wait
            '\(examples)/check-balances.sh' balance:alice balance:bob
            """
        let result = sandbox.shell(script, timeLimit: .seconds(120))
        #expect(result.status == 0, "\(result)")
        let totals = result.outputLines.compactMap { line in line.split(separator: " ").last.flatMap { $0.hasPrefix("total=") ? Int($0.dropFirst(6)) : nil } }
        #expect(totals.count == 41, "\(result)")
        #expect(totals.allSatisfy { $0 == 200 }, "a reader saw a total other than 200: \(totals)")
    }

    @Test func transferScriptMovesAmount() throws {
        let sandbox = try Sandbox()
        #expect(sandbox.aft("put", "a=50", "b=10").status == 0)
        let script = sourceRoot.appendingPathComponent("examples/transfer.sh").path
        let result = sandbox.shell("'\(script)' a b 20")
        #expect(result.status == 0, "\(result)")
        #expect(sandbox.aft("get", "a", "b").output == "a 30\nb 30\n")
    }
}

@Suite struct InstallTests {
    /// Runs `make` with `arguments` in the source tree and returns its exit status and output.
    func make(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = ProcessRunner.run(
            executable: "/usr/bin/make", arguments: (["-C", sourceRoot.path] + arguments).map { Array($0.utf8) }, stdin: [],
            environment: ProcessInfo.processInfo.environment, directory: sourceRoot, timeLimit: .seconds(600))
        return (result.status, result.output + result.stderr)
    }

    @Test func makeInstallPlacesEveryFileAndUninstallRemovesThem() throws {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("aft-prefix-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: prefix) }
        // Install the binary the tests already built, so this test does not rebuild in release mode.
        let install = try make(["install-files", "PREFIX=\(prefix.path)", "BINARY=\(AftBinary.path)"])
        #expect(install.status == 0, "\(install.output)")

        let expected = [
            "bin/aft", "share/man/man1/aft.1", "share/bash-completion/completions/aft",
            "share/zsh/site-functions/_aft", "share/fish/vendor_completions.d/aft.fish",
        ]
        for file in expected {
            #expect(FileManager.default.fileExists(atPath: prefix.appendingPathComponent(file).path), "make install did not install \(file)")
        }
        #expect(FileManager.default.isExecutableFile(atPath: prefix.appendingPathComponent("bin/aft").path))

        let uninstall = try make(["uninstall", "PREFIX=\(prefix.path)"])
        #expect(uninstall.status == 0, "\(uninstall.output)")
        for file in expected {
            #expect(!FileManager.default.fileExists(atPath: prefix.appendingPathComponent(file).path), "make uninstall left \(file)")
        }
    }
}
