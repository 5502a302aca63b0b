#if canImport(Glibc)
import Glibc
#endif

/// One variable of the process's environment, read with getenv: `ProcessInfo.processInfo.environment` builds a
/// dictionary of all of them at every use, a cost each command paid several times on its start path.
public enum EnvironmentVariable {
    public static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// The processors online (what `ProcessInfo.activeProcessorCount` reports, without its set-up).
    public static var processorCount: Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}
