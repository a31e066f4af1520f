import FoundationEssentials
import Glibc

/// A buffered writer on a file descriptor.
///
/// A write to a closed pipe (`aft log | head`) ends the process quietly with
/// status 0, because the reader already has all it wanted.
public final class OutputStream {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    /// Standard output ends the process at a closed pipe. Standard error drops what it
    /// cannot write, so that a failing command still exits with its own status.
    private var exitsOnClosedPipe: Bool { descriptor == 1 }
    private let flushThreshold = 64 * 1024

    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    public var isTerminal: Bool { isatty(descriptor) == 1 }

    public func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= flushThreshold { flush() }
    }

    public func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushThreshold { flush() }
    }

    public func line(_ text: String) {
        write(text)
        write("\n")
    }

    public func flush() {
        var offset = 0
        while offset < buffer.count {
            let written = buffer[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE && exitsOnClosedPipe { exit(0) }
                break
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
