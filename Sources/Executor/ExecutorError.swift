import Diagnostics

/// A failure while carrying out a plan, naming the container and the step.
public struct ExecutorError: BerthError {
    public var code: String
    public var message: String
    public var underlying: (any Error)?
    public var category: ErrorCategory { .runtime }

    public init(code: String, message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        guard let underlying else { return message }
        if let inner = underlying as? any BerthError { return "\(message): \(inner.description)" }
        return "\(message): \(underlying)"
    }
}
