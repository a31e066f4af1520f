@testable import AftCLI
import Testing

@Suite struct HistoryCheckerTests {
    typealias Operation = HistoryTransaction.Operation

    func committed(_ id: String, at timestamp: Int, _ operations: [Operation]) -> HistoryTransaction {
        HistoryTransaction(transaction: id, status: .committed, stamp: "\(timestamp).\(id)", mode: nil, operations: operations)
    }

    func kinds(_ history: [HistoryTransaction]) -> [HistoryChecker.Kind] {
        HistoryChecker(history).anomalies().map(\.kind)
    }

    @Test func cleanHistoryHasNoAnomalies() {
        let history = [
            committed("t1", at: 1, [.write("a"), .write("b")]),
            committed("t2", at: 2, [.read("a", writer: "t1"), .read("b", writer: "t1"), .write("a"), .read("a", writer: "t2")]),
        ]
        #expect(kinds(history).isEmpty)
    }

    @Test func readOfAbortedWriterIsDirty() {
        let history = [
            HistoryTransaction(transaction: "t1", status: .aborted, stamp: nil, mode: nil, operations: [.write("a")]),
            committed("t2", at: 2, [.read("a", writer: "t1")]),
        ]
        #expect(kinds(history) == [.dirtyRead])
    }

    @Test func unknownWriterIsPreexistingData() {
        #expect(kinds([committed("t2", at: 2, [.read("a", writer: "elsewhere")])]).isEmpty)
    }

    @Test func olderCowrittenKeyIsFractured() {
        let history = [
            committed("t1", at: 1, [.write("a"), .write("b")]),
            committed("t2", at: 2, [.write("a"), .write("b")]),
            committed("t3", at: 3, [.read("a", writer: "t2"), .read("b", writer: "t1")]),
        ]
        #expect(kinds(history) == [.fracturedRead])
    }

    @Test func fractureIsFoundInEitherReadOrder() {
        let history = [
            committed("t1", at: 1, [.write("a"), .write("b")]),
            committed("t2", at: 2, [.write("a"), .write("b")]),
            committed("t3", at: 3, [.read("b", writer: "t1"), .read("a", writer: "t2")]),
        ]
        #expect(kinds(history) == [.fracturedRead])
    }

    @Test func absentCowrittenKeyIsFractured() {
        let history = [
            committed("t1", at: 1, [.write("a"), .write("b")]),
            committed("t3", at: 3, [.read("b", writer: nil), .read("a", writer: "t1")]),
        ]
        #expect(kinds(history) == [.fracturedRead])
    }

    @Test func newerCowrittenKeyIsFine() {
        let history = [
            committed("t1", at: 1, [.write("a"), .write("b")]),
            committed("t2", at: 2, [.write("b")]),
            committed("t3", at: 3, [.read("a", writer: "t1"), .read("b", writer: "t2")]),
        ]
        #expect(kinds(history).isEmpty)
    }

    @Test func ownWriteMustBeRead() {
        let history = [
            committed("t1", at: 1, [.write("a")]),
            committed("t2", at: 2, [.write("a"), .read("a", writer: "t1")]),
        ]
        #expect(kinds(history) == [.readYourWrites])
    }

    @Test func repeatedReadMustMatch() {
        let history = [
            committed("t1", at: 1, [.write("a")]),
            committed("t2", at: 2, [.write("a")]),
            committed("t3", at: 3, [.read("a", writer: "t1"), .read("a", writer: "t2")]),
        ]
        #expect(kinds(history) == [.repeatableRead])
    }

    @Test func historyFileRoundTrips() throws {
        let transaction = committed("t1", at: 1, [.write("a b"), .read("c\nd", writer: nil)])
        let line = HistoryFile.encode(transaction)
        #expect(try HistoryFile.decode(Array((line + "\n").utf8), name: "h") == [transaction])
    }

    @Test func malformedHistoryLineIsRejected() {
        #expect(throws: (any Error).self) { _ = try HistoryFile.decode(Array("{\"nope\":1}\n".utf8), name: "h") }
    }
}

@Suite struct ZipfSamplerTests {
    @Test func skewFavoursFirstKeys() {
        let sampler = ZipfSampler(count: 100, exponent: 1.0)
        var generator = BenchRandom(seed: 42)
        var counts = [Int](repeating: 0, count: 100)
        for _ in 0..<10_000 {
            counts[sampler.next(using: &generator)] += 1
        }
        #expect(counts[0] > counts[9] * 5, "seed 42: \(counts.prefix(10))")
        #expect(counts.allSatisfy { $0 >= 0 })
    }

    @Test func zeroExponentIsUniform() {
        let sampler = ZipfSampler(count: 4, exponent: 0)
        var generator = BenchRandom(seed: 7)
        var counts = [Int](repeating: 0, count: 4)
        for _ in 0..<8000 {
            counts[sampler.next(using: &generator)] += 1
        }
        #expect(counts.allSatisfy { (1700...2300).contains($0) }, "seed 7: \(counts)")
    }
}
