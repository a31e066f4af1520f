import AftEngine
import AftStores
import FoundationEssentials
import Glibc

/// Reading the bytes a command takes as input, from a file or a descriptor.
enum InputFile {
    /// Reads the file at `path`; `hint` ends the message when the file is missing.
    static func read(_ path: String, hint: String = "check the path") throws(AftError) -> [UInt8] {
        let kind = Paths.kind(of: path)
        guard kind != .missing else {
            throw AftError(.missingInput, "cannot read file \(Escaping.quoted(path)): no such file; \(hint)")
        }
        guard kind != .directory else {
            throw AftError(.missingInput, "cannot read file \(Escaping.quoted(path)): it is a directory; give a file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AftError(.missingInput, "cannot read file \(Escaping.quoted(path)): permission denied; check its permissions")
        }
        return Array(data)
    }

    /// Reads `descriptor` until end of file, retrying reads that a signal interrupted.
    static func readAll(descriptor: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: chunk[..<count])
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        return bytes
    }

    /// Reads the optional FILE argument of a command, or standard input when it is absent or `-`.
    /// Returns the name that messages use for the input, and its bytes.
    static func read(argument: Argument?) throws(AftError) -> (name: String, bytes: [UInt8]) {
        guard let argument, argument.text != "-" else {
            return ("standard input", readAll(descriptor: 0))
        }
        return (argument.text, try read(argument.text))
    }
}
