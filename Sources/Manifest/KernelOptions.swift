import OCI

/// A container's security and kernel options, validated: seccomp, `no-new-privileges`, capabilities, sysctls,
/// ulimits, devices, `/dev/shm` size, tmpfs mounts, extra groups, OOM score, host namespaces and platform.
/// Every field is empty or nil unless the manifest sets it (the canonical form writes only what is set).
public struct KernelOptions: Hashable, Sendable, Codable {
    /// The options every `tmpfs` entry starts with, before its own (as docker mounts them); the canonical form
    /// leaves them out.
    static let tmpfsDefaultOptions = ["noexec", "nosuid", "nodev"]

    /// `seccomp:` (or `security-opt: seccomp=…`); nil: the default profile, none for `privileged`.
    public var seccomp: SeccompSetting?
    /// `no-new-privileges` (or `security-opt`); nil: on, as containerd's default spec has it.
    public var noNewPrivileges: Bool?
    /// `cap-add`: `CAP_…` names, or `ALL`.
    public var capAdd: [String] = []
    /// `cap-drop`: `CAP_…` names, or `ALL`.
    public var capDrop: [String] = []
    /// `sysctls`: namespaced kernel parameters by dotted name.
    public var sysctls: [String: String] = [:]
    /// `ulimits`, sorted by name.
    public var ulimits: [Ulimit] = []
    /// `devices`: host device nodes made in the container.
    public var devices: [DeviceMapping] = []
    /// `shm-size` in bytes: the size of the `/dev/shm` tmpfs.
    public var shmSize: Int64?
    /// `tmpfs`: tmpfs mounts (type `tmpfs`), after `mounts`.
    public var tmpfs: [MountDefinition] = []
    /// `group-add`: group names (resolved in the container's /etc/group) or gids.
    public var groupAdd: [String] = []
    /// `oom-score-adj`, -1000…1000.
    public var oomScoreAdj: Int?
    /// Namespaces shared with the host (`ipc: host`, `pid: host`): not created, not joined.
    public var hostNamespaces: [NamespaceType] = []
    /// `ipc` as written when it is `private` or `shareable` (both a private IPC namespace, as runc makes it).
    public var ipcMode: String?
    /// `platform` as written (only the host's is accepted).
    public var platform: String?

    public init() {}

    public var isEmpty: Bool { self == KernelOptions() }
}

/// `seccomp:`: containerd's default profile, none, or an OCI `linux.seccomp` JSON file.
public enum SeccompSetting: Hashable, Sendable, Codable {
    case `default`
    case unconfined
    /// An absolute path.
    case profile(String)

    /// As written in the manifest (and in the canonical form).
    public var text: String {
        switch self {
        case .default: return "default"
        case .unconfined: return "unconfined"
        case .profile(let path): return path
        }
    }
}

/// One `ulimits` entry: a docker limit name (`nofile`) and its values (`UInt64.max` is unlimited).
public struct Ulimit: Hashable, Sendable, Codable {
    public var name: String
    public var soft: UInt64
    public var hard: UInt64

    public init(name: String, soft: UInt64, hard: UInt64) {
        self.name = name
        self.soft = soft
        self.hard = hard
    }

    /// The rlimit `name` stands for (`RLIMIT_NOFILE`).
    public var rlimitType: String { "RLIMIT_" + name.uppercased() }

    /// docker's names, each `RLIMIT_<NAME>`, with Linux's resource number (for the host check).
    public static let resources: [String: Int32] = [
        "cpu": 0, "fsize": 1, "data": 2, "stack": 3, "core": 4, "rss": 5, "nproc": 6, "nofile": 7, "memlock": 8, "as": 9,
        "locks": 10, "sigpending": 11, "msgqueue": 12, "nice": 13, "rtprio": 14, "rttime": 15,
    ]

    /// The names, sorted.
    public static let names = resources.keys.sorted()
}

/// One `devices` entry: `HOST[:CONTAINER[:PERMISSIONS]]`.
public struct DeviceMapping: Hashable, Sendable, Codable {
    public var hostPath: String
    public var containerPath: String
    /// A non-empty subset of `rwm`, in that order.
    public var permissions: String

    public init(hostPath: String, containerPath: String, permissions: String) {
        self.hostPath = hostPath
        self.containerPath = containerPath
        self.permissions = permissions
    }

    public var shortForm: String { "\(hostPath):\(containerPath):\(permissions)" }
}
