import Diagnostics

/// Warnings collected during an export: lossy ones (something left out or changed; errors under
/// `--strict`) and advisory ones (exported as asked, with a consequence worth knowing).
struct ExportWarnings {
    private(set) var lossy: [Diagnostic] = []
    private(set) var advisory: [Diagnostic] = []

    mutating func leftOut(_ message: String, at location: SourceLocation?) {
        lossy.append(.warning(at: location, message))
    }

    mutating func note(_ message: String, at location: SourceLocation?) {
        advisory.append(.warning(at: location, message))
    }

    var all: [Diagnostic] { (lossy + advisory).sortedByPosition() }

    /// Under `--strict`: the lossy warnings as errors, the advisory ones kept as warnings.
    var strictDiagnostics: [Diagnostic] {
        (lossy.map { Diagnostic.error(at: $0.location, $0.message) } + advisory).sortedByPosition()
    }
}
