import Diagnostics

/// Why a plan could not be made: every problem found, each with the manifest location that caused it.
public struct PlanError: BerthError {
    public var diagnostics: [Diagnostic]
    public var category: ErrorCategory { .runtime }
    public var code: String

    public init(code: String, _ diagnostics: [Diagnostic]) {
        self.code = code
        self.diagnostics = diagnostics.sortedByPosition()
    }

    public var message: String { diagnostics.map(\.description).joined(separator: "\n") }
    public var description: String { message }
}
