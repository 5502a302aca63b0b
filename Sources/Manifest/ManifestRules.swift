/// The fixed vocabulary of berth.yaml: versions, keys, namespace types, name pattern.
enum ManifestRules {
    static let supportedVersions = [1]
    static let topLevelKeys = ["version", "name", "containers"]
    static let containerKeys = [
        "image", "args", "cwd", "env", "env-files", "mounts", "with-ns", "checkpoint", "readonly", "tty",
        "net-host", "labels", "user", "hostname", "privileged", "memory-limit", "cpus", "pids-limit",
        "runtime", "snapshotter", "rootfs", "no-pivot", "config", "depends-on", "pull", "restore",
    ]
    static let mountKeys = ["type", "source", "destination", "options"]
    static let namespaceKeys = ["type", "path", "container"]
    /// The OCI namespace type names.
    static let namespaceTypes = ["pid", "network", "uts", "mount", "user", "ipc", "cgroup", "time"]
    /// Kernel short names (as in /proc/PID/ns) mapped to OCI names, to suggest the right spelling.
    static let namespaceAliases = ["net": "network", "mnt": "mount"]
    static let snapshotters = ["overlayfs", "native"]
    /// When the image is pulled from its registry: when missing from the store (default), always, never.
    static let pullPolicies = ["missing", "always", "never"]
    /// What a `checkpoint:` brings back: the files only, or the files and the process (CRIU).
    static let restoreModes = ["filesystem", "process"]
    static let runtimes = ["runc", "crun"]

    /// `^[a-z0-9][a-z0-9_.-]{0,62}$`, for container and project names.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 63, isLowerAlnum(first) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { isLowerAlnum($0) || $0 == "_" || $0 == "." || $0 == "-" }
    }

    static func isLowerAlnum(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("0"..."9").contains(c)
    }

    /// A directory name made into a project name: lowercase, invalid characters to `-`, leading junk dropped.
    static func normalizedProjectName(_ raw: String) -> String? {
        var scalars = raw.lowercased().unicodeScalars.map { c -> Unicode.Scalar in
            isLowerAlnum(c) || c == "_" || c == "." || c == "-" ? c : "-"
        }
        while let first = scalars.first, !isLowerAlnum(first) { scalars.removeFirst() }
        let name = String(String.UnicodeScalarView(scalars.prefix(63)))
        return isValidName(name) ? name : nil
    }
}
