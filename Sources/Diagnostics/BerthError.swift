import Foundation

/// Which kind of failure an error is; the CLI maps this to an exit status in one place.
public enum ErrorCategory: Sendable, Hashable {
    /// Bad command-line usage or a bad value given by the user (exit 2).
    case usage
    /// The manifest is invalid (exit 2).
    case manifest
    /// Something Berth tried to do failed: a missing image, a runtime error, I/O (exit 1).
    case runtime
    /// A bug in Berth itself (exit 1, reported as internal).
    case `internal`
}

/// The common face of every error Berth's modules throw: a category, a code, a one-line message
/// that names the failing value, optional diagnostics, and the underlying cause.
public protocol BerthError: Error, CustomStringConvertible, Sendable {
    var category: ErrorCategory { get }
    /// A stable identifier for the failure, for tests and `--format json` (never match on message text).
    var code: String { get }
    /// One line, naming the value that failed and, where possible, what to do.
    var message: String { get }
    /// Diagnostics with source locations, when the error came from a file.
    var diagnostics: [Diagnostic] { get }
    /// The error underneath, if any.
    var underlying: (any Error)? { get }
}

extension BerthError {
    public var diagnostics: [Diagnostic] { [] }
    public var underlying: (any Error)? { nil }
    public var description: String {
        guard let underlying else { return message }
        return "\(message): \(describeCause(underlying))"
    }
}

/// One readable line for an underlying error: Foundation's file errors by their localized text
/// ("The file doesn’t exist."), not their dictionary dump.
public func describeCause(_ error: any Error) -> String {
    if let error = error as? CocoaError {
        return error.localizedDescription
    }
    let ns = error as NSError
    if ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain {
        return ns.localizedDescription
    }
    return "\(error)"
}

/// Diagnostics-carrying error for input files (manifests, specs): every problem at once.
public struct DiagnosticsError: BerthError {
    public var diagnostics: [Diagnostic]
    public var category: ErrorCategory
    public var code: String { "invalid-input" }

    public init(_ diagnostics: [Diagnostic], category: ErrorCategory = .manifest) {
        self.diagnostics = diagnostics.sortedByPosition()
        self.category = category
    }

    public var message: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
    public var description: String { message }
}
