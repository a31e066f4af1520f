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

@Suite struct ExportImportTests {
    @Test func exportThenImportRebuildsStore() throws {
        let source = try Sandbox()
        #expect(source.aft("put", "a=1", "with space=x").status == 0)
        #expect(source.aft("put", "bin", "-", stdin: [0, 255, 10]).status == 0)
        #expect(source.aft("del", "a").status == 0)
        let exported = source.aft("export")
        #expect(exported.status == 0, "\(exported)")
        #expect(exported.outputLines.count == 3)
        #expect(exported.errorLines == ["exported 3 transactions with 4 versions"])

        let target = try Sandbox()
        let imported = target.aft("import", stdin: exported.stdout)
        #expect(imported.status == 0, "\(imported)")
        #expect(imported.output == "imported 3 transactions\n")
        #expect(target.aft("keys").output == source.aft("keys").output)
        #expect(target.aft("log").output == source.aft("log").output)
        #expect(target.aft("get", "--raw", "bin").stdout == [0, 255, 10])

        let again = target.aft("import", stdin: exported.stdout)
        #expect(again.output == "imported 0 transactions; 3 already present\n")
    }

    @Test func importOfMalformedLineChangesNothing() throws {
        let sandbox = try Sandbox()
        #expect(sandbox.aft("put", "k=v").status == 0)
        let exported = sandbox.aft("export").stdout
        let broken = exported + Array("{\"transaction\":\"zz\"}\n".utf8)

        let target = try Sandbox()
        let result = target.aft("import", stdin: broken)
        #expect(result.status == 65)
        #expect(result.errorLines.count == 1)
        #expect(result.errorLines.first?.contains("standard input line 2") == true, "\(result)")
        #expect(target.aft("keys").output.isEmpty)
    }
}
