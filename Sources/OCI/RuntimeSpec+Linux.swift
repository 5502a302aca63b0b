/// Linux-specific container configuration (runtime-spec config-linux.md).
public struct OCILinux: Codable, Hashable, Sendable {
    public var namespaces: [OCINamespace]?
    public var uidMappings: [OCIIDMapping]?
    public var gidMappings: [OCIIDMapping]?
    public var devices: [OCIDevice]?
    public var cgroupsPath: String?
    public var resources: OCIResources?
    public var rootfsPropagation: String?
    public var seccomp: JSONValue?
    public var sysctl: [String: String]?
    public var maskedPaths: [String]?
    public var readonlyPaths: [String]?
    public var mountLabel: String?

    public init(
        namespaces: [OCINamespace]? = nil, devices: [OCIDevice]? = nil, cgroupsPath: String? = nil,
        resources: OCIResources? = nil, maskedPaths: [String]? = nil, readonlyPaths: [String]? = nil
    ) {
        self.namespaces = namespaces
        self.devices = devices
        self.cgroupsPath = cgroupsPath
        self.resources = resources
        self.maskedPaths = maskedPaths
        self.readonlyPaths = readonlyPaths
    }
}

/// A Linux namespace type. Open set: runtimes add types (`time`), so unknown values decode.
public struct NamespaceType: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (a: NamespaceType, b: NamespaceType) -> Bool { a.rawValue < b.rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    public static let pid: NamespaceType = "pid"
    public static let network: NamespaceType = "network"
    public static let mount: NamespaceType = "mount"
    public static let ipc: NamespaceType = "ipc"
    public static let uts: NamespaceType = "uts"
    public static let user: NamespaceType = "user"
    public static let cgroup: NamespaceType = "cgroup"
    public static let time: NamespaceType = "time"

    /// The types the runtime spec defines.
    /// Every namespace type the runtime spec defines, in the order Berth lists them to users.
    public static let all: [NamespaceType] = [.pid, .network, .uts, .mount, .user, .ipc, .cgroup, .time]

    /// The name of this namespace's file under `/proc/<pid>/ns/`.
    public var procFileName: String {
        switch self {
        case .network: return "net"
        case .mount: return "mnt"
        default: return rawValue
        }
    }
}

/// One `linux.namespaces` entry: a namespace to create, or to join when `path` names an existing one.
public struct OCINamespace: Codable, Hashable, Sendable {
    public var type: NamespaceType
    public var path: String?
    public init(type: NamespaceType, path: String? = nil) {
        self.type = type
        self.path = path
    }
}

/// One `linux.uidMappings`/`gidMappings` entry: `size` ids from `containerID` map to host ids from `hostID`.
public struct OCIIDMapping: Codable, Hashable, Sendable {
    public var containerID: UInt32
    public var hostID: UInt32
    public var size: UInt32
}

/// One `linux.devices` entry: a device node created in the container (type, major/minor, mode, owner).
public struct OCIDevice: Codable, Hashable, Sendable {
    public var type: String
    public var path: String
    public var major: Int64?
    public var minor: Int64?
    public var fileMode: UInt32?
    public var uid: UInt32?
    public var gid: UInt32?

    public init(
        type: String, path: String, major: Int64? = nil, minor: Int64? = nil, fileMode: UInt32? = nil, uid: UInt32? = nil,
        gid: UInt32? = nil
    ) {
        self.type = type
        self.path = path
        self.major = major
        self.minor = minor
        self.fileMode = fileMode
        self.uid = uid
        self.gid = gid
    }
}

/// `linux.resources`: the cgroup limits: device access, memory, CPU, pids.
public struct OCIResources: Codable, Hashable, Sendable {
    public var devices: [OCIDeviceCgroup]?
    public var memory: OCIMemory?
    public var cpu: OCICPU?
    public var pids: OCIPids?

    public init(devices: [OCIDeviceCgroup]? = nil, memory: OCIMemory? = nil, cpu: OCICPU? = nil, pids: OCIPids? = nil) {
        self.devices = devices
        self.memory = memory
        self.cpu = cpu
        self.pids = pids
    }
}

/// One `linux.resources.devices` entry: a device cgroup rule allowing or denying access (`rwm`) by type and numbers.
public struct OCIDeviceCgroup: Codable, Hashable, Sendable {
    public var allow: Bool
    public var type: String?
    public var major: Int64?
    public var minor: Int64?
    public var access: String?

    public init(allow: Bool, type: String? = nil, major: Int64? = nil, minor: Int64? = nil, access: String? = nil) {
        self.allow = allow
        self.type = type
        self.major = major
        self.minor = minor
        self.access = access
    }
}

/// `linux.resources.memory`: the memory limit, reservation and swap, in bytes.
public struct OCIMemory: Codable, Hashable, Sendable {
    public var limit: Int64?
    public var reservation: Int64?
    public var swap: Int64?
    public init(limit: Int64? = nil) { self.limit = limit }
}

/// `linux.resources.cpu`: CPU shares, CFS quota and period, and the CPUs and memory nodes allowed.
public struct OCICPU: Codable, Hashable, Sendable {
    public var shares: UInt64?
    public var quota: Int64?
    public var period: UInt64?
    public var cpus: String?
    public var mems: String?
    public init(shares: UInt64? = nil, quota: Int64? = nil, period: UInt64? = nil) {
        self.shares = shares
        self.quota = quota
        self.period = period
    }
}

/// `linux.resources.pids`: the most tasks the container's cgroup may hold.
public struct OCIPids: Codable, Hashable, Sendable {
    public var limit: Int64
    public init(limit: Int64) { self.limit = limit }
}
