import BerthSystem
import Foundation

/// Test hook: when `BERTH_CRASH_AT` names this point, the process exits at once (status 86),
/// as a crash would, so tests can check what a crash leaves behind.
public enum CrashPoint {
    public static func hit(_ name: String) {
        guard EnvironmentVariable.value("BERTH_CRASH_AT") == name else { return }
        _exit(86)
    }
}
