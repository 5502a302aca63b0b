import Foundation
import OCI

/// The fixed vocabulary of berth.yaml: versions, keys, namespace types. Names follow `BerthSystem.Names`.
enum ManifestRules {
    static let supportedVersions = [1]
    static let topLevelKeys = ["version", "name", "containers", "networks", "volumes", "secrets", "configs"]
    static let containerKeys = [
        "image", "args", "cwd", "env", "env-files", "mounts", "with-ns", "checkpoint", "readonly", "tty",
        "net-host", "labels", "user", "hostname", "privileged", "memory-limit", "cpus", "pids-limit",
        "runtime", "snapshotter", "rootfs", "no-pivot", "config", "depends-on", "pull", "restore",
        "ports", "expose", "networks", "net-none", "dns", "dns-search", "extra-hosts",
        "restart", "restart-on-unhealthy", "healthcheck", "stop-signal", "stop-grace-period", "init",
        "secrets", "configs", "entrypoint", "command", "build",
        "seccomp", "no-new-privileges", "cap-add", "cap-drop", "security-opt", "read-only", "sysctls", "ulimits", "devices",
        "shm-size", "tmpfs", "group-add", "oom-score-adj", "ipc", "pid", "platform",
    ]
    /// Container keys that choose how a container is made, not what its runtime spec holds: everything
    /// else in `containerKeys` changes the spec (so a new key counts as a spec field unless listed here).
    static let outsideTheSpec: Set<String> = [
        "image", "checkpoint", "runtime", "snapshotter", "rootfs", "no-pivot", "depends-on", "pull", "restore",
        "ports", "expose", "networks", "build", "restart", "restart-on-unhealthy", "healthcheck", "stop-grace-period",
        "platform",
    ]
    static let mountKeys = ["type", "source", "destination", "target", "options", "readonly", "subpath"]
    static let volumeKeys = ["external", "labels", "driver-opts"]
    static let buildKeys = ["context", "dockerfile", "dockerfile-inline", "args", "target", "labels", "no-cache", "pull", "platforms"]
    static let secretKeys = ["file", "environment"]
    static let configKeys = ["file", "environment", "content"]
    static let secretReferenceKeys = ["source", "target", "uid", "gid", "mode"]
    static let networkKeys = ["subnet", "gateway", "internal", "external"]
    static let portKeys = ["target", "published", "host-ip", "protocol"]
    static let membershipKeys = ["aliases", "ipv4-address"]
    static let healthCheckKeys = ["test", "interval", "timeout", "retries", "start-period", "start-interval", "disable"]
    static let dependencyKeys = ["condition", "timeout"]
    static let restartPolicies = ["no", "on-failure", "always", "unless-stopped"]
    static let dependencyConditions = DependencyCondition.allCases.map(\.rawValue)
    static let namespaceKeys = ["type", "path", "container"]
    /// The OCI namespace type names: the runtime spec's list, from the OCI module.
    static let namespaceTypes = NamespaceType.all.map(\.rawValue)
    /// Kernel short names (as in /proc/PID/ns) mapped to OCI names, to suggest the right spelling.
    static let namespaceAliases = ["net": "network", "mnt": "mount"]
    static let snapshotters = SnapshotterKind.allCases.map(\.rawValue)
    /// When the image is pulled from its registry: when missing from the store (default), always, never.
    static let pullPolicies = PullPolicy.allCases.map(\.rawValue)
    /// What a `checkpoint:` brings back: the files only, or the files and the process (CRIU).
    static let restoreModes = RestoreMode.allCases.map(\.rawValue)
    static let runtimes = ["runc", "crun"]
    /// The platforms `platform` accepts: this host's (Berth runs images natively only).
    #if arch(x86_64)
    static let hostPlatforms = ["linux/amd64", "linux/x86_64"]
    #elseif arch(arm64)
    static let hostPlatforms = ["linux/arm64", "linux/aarch64"]
    #else
    static let hostPlatforms = ["linux"]
    #endif
    /// The `security-opt` keys Berth understands.
    static let securityOptKeys = ["no-new-privileges", "seccomp", "apparmor", "label"]
}
