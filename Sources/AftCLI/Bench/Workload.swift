import AftEngine
import Glibc

/// The shape of the benchmark's requests, after the published evaluation's workload.
struct Workload: Sendable {
    /// Functions per request; each request is one transaction.
    var functions = 2
    var readsPerFunction = 2
    var writesPerFunction = 1
    /// Bytes per written value.
    var valueSize = 4096
    var keyCount = 1000
    /// Skew of the Zipf key choice; 0 is uniform.
    var zipfExponent = 1.0

    func keyName(_ index: Int) -> String {
        "bench:\(index)"
    }

    /// Makes a value of `valueSize` bytes that names its writer, so a reader can tell who wrote what it read.
    func value(writtenBy transaction: TransactionID) -> [UInt8] {
        var bytes = Array("\(transaction.hex)|".utf8)
        if bytes.count < valueSize {
            bytes += [UInt8](repeating: UInt8(ascii: "x"), count: valueSize - bytes.count)
        }
        return bytes
    }

    /// Returns the transaction a value names, or nil for a value not written by the benchmark.
    static func writer(of value: [UInt8]) -> String? {
        guard value.count >= 33, value[32] == UInt8(ascii: "|") else { return nil }
        return String(decoding: value[0..<32], as: UTF8.self)
    }
}

/// Draws key indexes from a Zipf distribution by inverting a precomputed cumulative distribution.
struct ZipfSampler: Sendable {
    private let cumulative: [Double]

    init(count: Int, exponent: Double) {
        var weights = (1...max(1, count)).map { 1 / pow(Double($0), exponent) }
        let total = weights.reduce(0, +)
        var running = 0.0
        for index in weights.indices {
            running += weights[index] / total
            weights[index] = running
        }
        cumulative = weights
    }

    func next(using generator: inout some RandomNumberGenerator) -> Int {
        let draw = Double.random(in: 0..<1, using: &generator)
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] < draw {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }
}
