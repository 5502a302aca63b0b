import Manifest

extension UnsupportedFields {
    /// The security and kernel options are not mapped to a securityContext or Pod fields yet: one warning
    /// per field that is set, so nothing is dropped silently.
    static func checkKernelOptions(_ c: ContainerDefinition, warnings: inout ExportWarnings) {
        let k = c.kernel
        let fields: [(String, Bool)] = [
            ("seccomp", k.seccomp != nil), ("no-new-privileges", k.noNewPrivileges != nil), ("cap-add", !k.capAdd.isEmpty),
            ("cap-drop", !k.capDrop.isEmpty), ("sysctls", !k.sysctls.isEmpty), ("ulimits", !k.ulimits.isEmpty),
            ("devices", !k.devices.isEmpty), ("shm-size", k.shmSize != nil), ("tmpfs", !k.tmpfs.isEmpty),
            ("group-add", !k.groupAdd.isEmpty), ("oom-score-adj", k.oomScoreAdj != nil),
            ("ipc", k.hostNamespaces.contains(.ipc)), ("pid", k.hostNamespaces.contains(.pid)),
        ]
        for (field, isSet) in fields where isSet {
            warnings.leftOut(
                "`\(field)` is not exported to Kubernetes (Berth does not map it to a securityContext or Pod field); left out", at: c.locations[field]
            )
        }
    }
}
