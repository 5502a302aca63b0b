import Diagnostics
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension HostValidator {
    /// A `seccomp` profile file that is missing or not JSON, and `devices` that are not device nodes here.
    static func kernelOptionProblems(_ c: ContainerDefinition) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if case .profile(let path)? = c.kernel.seccomp, !c.privileged {
            if let data = FileManager.default.contents(atPath: path) {
                if (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] == nil {
                    problems.append(ManifestDiagnostics.unreadableSeccomp(path, reason: "it is not a JSON object", at: c.locations["seccomp"]))
                }
            } else {
                let reason = FileManager.default.fileExists(atPath: path) ? "it cannot be read" : "it does not exist"
                problems.append(ManifestDiagnostics.unreadableSeccomp(path, reason: reason, at: c.locations["seccomp"]))
            }
        }
        for device in c.kernel.devices {
            var info = stat()
            let kind = lstat(device.hostPath, &info) == 0 ? info.st_mode & S_IFMT : 0
            if kind != S_IFCHR, kind != S_IFBLK {
                problems.append(ManifestDiagnostics.missingDevice(device.hostPath, at: c.locations["devices"]))
            }
        }
        return problems
    }
}
