import Foundation
import Testing

/// Golden files for the test targets: expected output kept in the source tree, compared byte for byte,
/// and re-recorded only when the environment asks (`BERTH_RECORD=1`), so a change shows in the diff.
public enum GoldenFile {
    /// True when `BERTH_RECORD=1`: goldens are written instead of compared.
    public static var recording: Bool { ProcessInfo.processInfo.environment["BERTH_RECORD"] == "1" }

    /// Compares `actual` with the golden at `expected` (nil when the test bundle lacks it), or writes `actual`
    /// to `source`, the golden's place in the source tree, when recording. `label` names the golden in messages.
    public static func check(
        _ actual: String, expected: URL?, source: URL, label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        if recording {
            try Data(actual.utf8).write(to: source, options: .atomic)
            return
        }
        guard let expected, let text = try? String(contentsOf: expected, encoding: .utf8) else {
            Issue.record("missing golden file \(label); run with BERTH_RECORD=1 to record it", sourceLocation: sourceLocation)
            return
        }
        #expect(
            actual == text, "output differs from \(label) (re-record with BERTH_RECORD=1 if intended)",
            sourceLocation: sourceLocation)
    }
}
