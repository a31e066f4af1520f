import AftCLI
import FoundationEssentials
import Glibc

// Raw argument bytes, because keys and values need not be what String's decoding would make of them.
let arguments = (1..<Int(CommandLine.argc)).map { index in
    CommandLine.unsafeArgv[index].map { Array(UnsafeBufferPointer(start: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), count: strlen($0))) } ?? []
}
exit(AftMain.run(arguments: arguments, environment: ProcessInfo.processInfo.environment))
