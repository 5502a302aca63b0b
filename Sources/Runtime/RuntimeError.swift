import Diagnostics

/// A failure of the OCI runtime or of talking to it, carrying the runtime's own message.
public struct RuntimeError: BerthError {
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let notFound = Code(rawValue: "runtime-not-found")
        public static let launchFailed = Code(rawValue: "runtime-launch-failed")
        public static let commandFailed = Code(rawValue: "runtime-command-failed")
        public static let badOutput = Code(rawValue: "runtime-bad-output")
    }

    public var errorCode: Code
    public var message: String
    public var underlying: (any Error)?
    public var category: ErrorCategory { .runtime }
    public var code: String { errorCode.rawValue }

    public init(code: Code, message: String, underlying: (any Error)? = nil) {
        self.errorCode = code
        self.message = message
        self.underlying = underlying
    }
}
