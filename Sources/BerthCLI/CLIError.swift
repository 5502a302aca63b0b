import Diagnostics

/// A usage problem found by the CLI itself (exit status 2).
struct CLIError: BerthError {
    var message: String
    var code: String { "usage" }
    var category: ErrorCategory { .usage }
}
