import Foundation
import Testing

/// The anomaly demos under examples/anomalies, played in both consistency modes.
///
/// Each transcript is compared with examples/anomalies/expected/NAME.MODE.txt after
/// transaction ids are replaced by id000001, id000002, … in order of first appearance.
/// Setting AFT_UPDATE_EXPECTED=1 rewrites the expected files instead.
@Suite struct AnomalyExampleTests {
    static let folder = ShellBinary.repository.appendingPathComponent("examples/anomalies")
    static let names = [
        "g0-dirty-write", "g1a-aborted-read", "g1b-intermediate-read", "g1c-circular-information-flow",
        "otv-observed-transaction-vanishes", "read-skew", "pmp-predicate-many-preceders",
        "p4-lost-update", "g2-item-write-skew",
    ]
    static let modes = ["read-atomic", "lww"]

    @Test(arguments: names, modes)
    func transcriptMatchesExpected(name: String, mode: String) throws {
        let scratch = try Scratch()
        let script = try String(contentsOf: Self.folder.appendingPathComponent("\(name).aft"), encoding: .utf8)
        let result = try PipedRun.aft(
            ["--store", "memory:", "--consistency", mode, "shell", "--echo", "--keep-going"],
            stdin: script, environment: scratch.environment(), mergeOutput: true)

        // Reading a missing key is an error, and only the PMP demo reads one.
        #expect(result.status == (name.hasPrefix("pmp") ? 1 : 0), "\(result)")
        let transcript = Self.normalizingIDs(result.stdout)
        let expectedFile = Self.folder.appendingPathComponent("expected/\(name).\(mode).txt")
        if ProcessInfo.processInfo.environment["AFT_UPDATE_EXPECTED"] == "1" {
            try transcript.write(to: expectedFile, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: expectedFile, encoding: .utf8)
        #expect(transcript == expected, "transcript differs from \(expectedFile.lastPathComponent):\n\(transcript)")
    }

    /// The outcome lines that make each anomaly visible or show it prevented.
    @Test(arguments: [
        ("g0-dirty-write", "read-atomic", "x 2\ny 2\n"), ("g0-dirty-write", "lww", "x 2\ny 1\n"),
        ("g1a-aborted-read", "read-atomic", "get x\n10\n"), ("g1a-aborted-read", "lww", "get x\n11\n"),
        ("g1b-intermediate-read", "read-atomic", "r0 w0> get x\n10\n"), ("g1b-intermediate-read", "lww", "r0 w0> get x\n11\n"),
        ("g1c-circular-information-flow", "read-atomic", "get y\n20\n"), ("g1c-circular-information-flow", "lww", "get y\n22\n"),
        ("otv-observed-transaction-vanishes", "read-atomic", "get y\n19\n"), ("otv-observed-transaction-vanishes", "lww", "get y\n18\n"),
        ("read-skew", "read-atomic", "get b\n50\n"), ("read-skew", "lww", "get b\n75\n"),
        ("pmp-predicate-many-preceders", "read-atomic", "get count\n2\n"), ("pmp-predicate-many-preceders", "lww", "get count\n3\n"),
        ("p4-lost-update", "read-atomic", "get counter\n11\n"), ("p4-lost-update", "lww", "get counter\n11\n"),
        ("g2-item-write-skew", "read-atomic", "oncall:alice no\noncall:bob no\n"), ("g2-item-write-skew", "lww", "oncall:alice no\noncall:bob no\n"),
    ])
    func outcomeShowsAnomalyOrPrevention(name: String, mode: String, outcome: String) throws {
        let scratch = try Scratch()
        let script = try String(contentsOf: Self.folder.appendingPathComponent("\(name).aft"), encoding: .utf8)
        let result = try PipedRun.aft(
            ["--store", "memory:", "--consistency", mode, "shell", "--echo", "--keep-going"],
            stdin: script, environment: scratch.environment())
        #expect(result.stdout.contains(outcome), "expected \(outcome.debugDescription) in\n\(result.stdout)")
    }

    @Test func runnerPlaysEveryFileInBothModes() throws {
        let scratch = try Scratch()
        let process = Process()
        process.executableURL = Self.folder.appendingPathComponent("play.sh")
        process.environment = scratch.environment(["AFT": ShellBinary.path])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: PipedRun.readAll(output.fileHandleForReading.fileDescriptor), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        for name in Self.names {
            for mode in Self.modes {
                #expect(text.contains("=== \(name), --consistency \(mode)\n"), "missing \(name) in \(mode)")
            }
        }
    }

    /// Replaces each 8-digit transaction id with id000001, id000002, … in order of first appearance.
    static func normalizingIDs(_ text: String) -> String {
        var names: [String: String] = [:]
        var output = ""
        var word = ""
        func flush() {
            let isID = word.count == 8 && word.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
            if isID {
                if names[word] == nil {
                    let number = String(names.count + 1)
                    names[word] = "id" + String(repeating: "0", count: 6 - number.count) + number
                }
                output += names[word]!
            } else {
                output += word
            }
            word = ""
        }
        for character in text {
            if character.isASCII && (character.isLetter || character.isNumber) {
                word.append(character)
            } else {
                flush()
                output.append(character)
            }
        }
        flush()
        return output
    }
}
