import Diagnostics

/// A problem found by the CLI itself: bad usage (exit status 2) unless said otherwise.
struct CLIError: BerthError {
    var message: String
    var category: ErrorCategory = .usage
    var code: String { category == .usage ? "usage" : "cli" }
}
