import Diagnostics

/// A failure reading or writing Berth's state database or its locks.
public struct StateError: BerthError {
    public var code: String
    public var message: String
    public var underlying: (any Error)?
    public var category: ErrorCategory { .runtime }

    public init(code: String, message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }
}
