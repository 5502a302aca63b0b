/// Marks the module an error belongs to, so errors of different modules stay different types.
public protocol ErrorDomain: Sendable {
    /// How an error of this domain words its underlying cause after the message; the default is
    /// `describeCause` (Foundation's file errors by their localized text).
    static func describe(cause: any Error) -> String
}

extension ErrorDomain {
    public static func describe(cause: any Error) -> String { describeCause(cause) }
}

/// The error of one module area: a stable code, a message that names the failing value, a category
/// and the cause. Modules name theirs with a domain (`typealias SnapshotError = ModuleError<…>`).
public struct ModuleError<Domain: ErrorDomain>: BerthError {
    public var category: ErrorCategory
    public var code: String
    public var message: String
    public var underlying: (any Error)?

    public init(_ code: String, _ message: String, category: ErrorCategory = .runtime, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.category = category
        self.underlying = underlying
    }

    /// `message`, then `: ` and the cause as the domain words it.
    public var description: String {
        guard let underlying else { return message }
        return "\(message): \(Domain.describe(cause: underlying))"
    }
}
