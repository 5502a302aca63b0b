/// Marks the module an error belongs to, so errors of different modules stay different types.
public protocol ErrorDomain: Sendable {}

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
}
