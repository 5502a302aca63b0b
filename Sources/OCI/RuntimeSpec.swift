/// The OCI runtime configuration, `config.json` (runtime-spec config.md). Optional fields are
/// omitted when nil, so a generated spec carries only what was set.
public struct RuntimeSpec: Codable, Hashable, Sendable {
    public var ociVersion: String
    public var process: OCIProcess?
    public var root: OCIRoot?
    public var hostname: String?
    public var domainname: String?
    public var mounts: [OCIMount]?
    public var hooks: OCIHooks?
    public var annotations: [String: String]?
    public var linux: OCILinux?

    /// The runtime-spec version Berth writes.
    public static let version = "1.2.0"

    public init(
        ociVersion: String = RuntimeSpec.version, process: OCIProcess? = nil, root: OCIRoot? = nil,
        hostname: String? = nil, mounts: [OCIMount]? = nil, annotations: [String: String]? = nil,
        linux: OCILinux? = nil
    ) {
        self.ociVersion = ociVersion
        self.process = process
        self.root = root
        self.hostname = hostname
        self.mounts = mounts
        self.annotations = annotations
        self.linux = linux
    }
}

/// `root`: the container's root filesystem, a path relative to the bundle, optionally mounted read-only.
public struct OCIRoot: Codable, Hashable, Sendable {
    public var path: String
    public var readonly: Bool?
    public init(path: String, readonly: Bool? = nil) {
        self.path = path
        self.readonly = readonly
    }
}

/// `process`: the container's first process: arguments, environment, working directory, user, capabilities, rlimits.
public struct OCIProcess: Codable, Hashable, Sendable {
    public var terminal: Bool?
    public var consoleSize: OCIBox?
    public var user: OCIUser
    public var args: [String]?
    public var commandLine: String?
    public var env: [String]?
    public var cwd: String
    public var capabilities: OCICapabilities?
    public var rlimits: [OCIRlimit]?
    public var noNewPrivileges: Bool?
    public var apparmorProfile: String?
    public var oomScoreAdj: Int?
    public var selinuxLabel: String?

    public init(
        terminal: Bool? = nil, user: OCIUser = OCIUser(), args: [String]? = nil, env: [String]? = nil,
        cwd: String = "/", capabilities: OCICapabilities? = nil, rlimits: [OCIRlimit]? = nil,
        noNewPrivileges: Bool? = nil
    ) {
        self.terminal = terminal
        self.user = user
        self.args = args
        self.env = env
        self.cwd = cwd
        self.capabilities = capabilities
        self.rlimits = rlimits
        self.noNewPrivileges = noNewPrivileges
    }
}

/// `consoleSize`: the terminal's height and width in characters, when `terminal` is true.
public struct OCIBox: Codable, Hashable, Sendable {
    public var height: UInt
    public var width: UInt
}

/// `process.user`: the numeric uid, gid, supplementary groups and umask the process runs with (resolved in the rootfs).
public struct OCIUser: Codable, Hashable, Sendable {
    public var uid: UInt32
    public var gid: UInt32
    public var umask: UInt32?
    public var additionalGids: [UInt32]?
    public var username: String?

    public init(uid: UInt32 = 0, gid: UInt32 = 0, additionalGids: [UInt32]? = nil) {
        self.uid = uid
        self.gid = gid
        self.additionalGids = additionalGids
    }
}

/// `process.capabilities`: the Linux capability sets (bounding, effective, inheritable, permitted, ambient).
public struct OCICapabilities: Codable, Hashable, Sendable {
    public var bounding: [String]?
    public var effective: [String]?
    public var inheritable: [String]?
    public var permitted: [String]?
    public var ambient: [String]?

    public init(
        bounding: [String]? = nil, effective: [String]? = nil, inheritable: [String]? = nil,
        permitted: [String]? = nil, ambient: [String]? = nil
    ) {
        self.bounding = bounding
        self.effective = effective
        self.inheritable = inheritable
        self.permitted = permitted
        self.ambient = ambient
    }
}

/// One `process.rlimits` entry: a resource limit (`RLIMIT_NOFILE`, …) with its soft and hard values.
public struct OCIRlimit: Codable, Hashable, Sendable {
    public var type: String
    public var hard: UInt64
    public var soft: UInt64
    public init(type: String, hard: UInt64, soft: UInt64) {
        self.type = type
        self.hard = hard
        self.soft = soft
    }
}

/// One `mounts` entry: what is mounted at `destination` inside the container, from `source`, of `type`, with `options`.
public struct OCIMount: Codable, Hashable, Sendable {
    public var destination: String
    public var type: String?
    public var source: String?
    public var options: [String]?

    public init(destination: String, type: String? = nil, source: String? = nil, options: [String]? = nil) {
        self.destination = destination
        self.type = type
        self.source = source
        self.options = options
    }
}

/// `hooks`: commands the runtime runs at points of the container's lifecycle.
public struct OCIHooks: Codable, Hashable, Sendable {
    public var prestart: [OCIHook]?
    public var createRuntime: [OCIHook]?
    public var createContainer: [OCIHook]?
    public var startContainer: [OCIHook]?
    public var poststart: [OCIHook]?
    public var poststop: [OCIHook]?
}

/// One hook: an absolute path, its arguments and environment, and an optional timeout in seconds.
public struct OCIHook: Codable, Hashable, Sendable {
    public var path: String
    public var args: [String]?
    public var env: [String]?
    public var timeout: Int?
}
