import BerthSystem
import Foundation

/// Finds the OCI runtime program a manifest's `runtime:` names: `runc` (also `io.containerd.runc.v2`),
/// `crun`, or an absolute path.
public enum RuntimeBinary {
    /// The runtime names Berth knows, besides absolute paths.
    public static let knownNames = ["runc", "crun", "io.containerd.runc.v2"]

    /// The program name to look up for a manifest `runtime:` value.
    public static func programName(for runtime: String) -> String {
        runtime == "io.containerd.runc.v2" ? "runc" : runtime
    }

    /// The absolute path of the runtime's executable.
    public static func locate(
        _ runtime: String, searchPath: String? = EnvironmentVariable.value("PATH")
    )
        throws -> String
    {
        let name = programName(for: runtime)
        if name.hasPrefix("/") {
            guard FileManager.default.isExecutableFile(atPath: name) else {
                throw RuntimeError(code: .notFound, message: "runtime \(name) is not an executable file")
            }
            return name
        }
        let directories = (searchPath ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
            .split(separator: ":").map(String.init)
        for directory in directories where !directory.isEmpty {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw RuntimeError(
            code: .notFound,
            message: "runtime \"\(runtime)\" not found in PATH; install it (apt-get install \(name)) or give an absolute path")
    }
}
