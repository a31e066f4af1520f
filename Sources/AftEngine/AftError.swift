/// An error that aft reports to its user: a one-line message and the kind that picks the exit status.
///
/// The message says what failed, on which value, and what to do next. It never
/// contains a password.
public struct AftError: Error, Sendable, CustomStringConvertible {
    /// The class of failure, which fixes the process exit status.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case notFound, failed, usage, invalidInput, missingInput
            case unreachable, storeIO, retryableAbort, authentication
        }

        private let base: Base

        /// A key asked for was not found.
        public static let notFound = Kind(base: .notFound)
        /// A command failed for a reason no other kind covers.
        public static let failed = Kind(base: .failed)
        /// Unknown command or option, or wrong arguments.
        public static let usage = Kind(base: .usage)
        /// Invalid key, bad escape, malformed script line, oversize value.
        public static let invalidInput = Kind(base: .invalidInput)
        /// An input file is missing or unreadable.
        public static let missingInput = Kind(base: .missingInput)
        /// The store is unreachable or refused the connection.
        public static let unreachable = Kind(base: .unreachable)
        /// An I/O error in the store, such as a full disk or a corrupt record.
        public static let storeIO = Kind(base: .storeIO)
        /// The transaction aborted and is safe to retry.
        public static let retryableAbort = Kind(base: .retryableAbort)
        /// Authentication to the store failed.
        public static let authentication = Kind(base: .authentication)

        /// The exit status, from the sysexits.h conventions.
        public var exitCode: Int32 {
            switch base {
            case .notFound, .failed: 1
            case .usage: 64
            case .invalidInput: 65
            case .missingInput: 66
            case .unreachable: 69
            case .storeIO: 74
            case .retryableAbort: 75
            case .authentication: 77
            }
        }

        public var description: String {
            switch base {
            case .notFound: "not found"
            case .failed: "failed"
            case .usage: "usage error"
            case .invalidInput: "invalid input"
            case .missingInput: "missing input"
            case .unreachable: "store unreachable"
            case .storeIO: "store I/O error"
            case .retryableAbort: "aborted, retryable"
            case .authentication: "authentication failed"
            }
        }
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
