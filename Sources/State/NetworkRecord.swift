import GRDB

/// A network Berth made for a project: its bridge and subnet, kept until the project's last container goes.
public struct NetworkRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "network"

    public var project: String
    /// The manifest's name (`default`, `front`); the full name is `<project>_<name>`.
    public var name: String
    /// CIDR, e.g. `10.89.3.0/24`.
    public var subnet: String
    public var gateway: String
    /// The Linux bridge's name.
    public var bridge: String
    public var isInternal: Bool

    public init(project: String, name: String, subnet: String, gateway: String, bridge: String, isInternal: Bool) {
        self.project = project
        self.name = name
        self.subnet = subnet
        self.gateway = gateway
        self.bridge = bridge
        self.isInternal = isInternal
    }

    /// `<project>_<name>`, as compose names networks.
    public var fullName: String { "\(project)_\(name)" }
}

/// One container's membership of one network: what was asked for (kept while the container exists) and,
/// while it is attached, the address it got.
public struct AttachmentRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "attachment"

    /// The container's project and name.
    public var project: String
    public var container: String
    /// The project that owns the network (another project's for an `external` network).
    public var networkProject: String
    public var network: String
    /// The interface inside the container (`eth0`, `eth1`, …).
    public var interface: String
    /// More names the container answers to on this network.
    public var aliases: [String]
    public var requestedAddress: String?
    /// Published ports (`[HOST-IP:]PUBLISHED:TARGET[/PROTOCOL]`), carried by the container's first network only.
    public var ports: [String]
    /// The container's own host name, when it set one (also resolves to its address).
    public var hostname: String?
    /// The container's `extra-hosts`, as `name address` pairs (`host-gateway` already resolved).
    public var extraHosts: [String]
    /// The address the container has on the network; nil while it is not attached.
    public var address: String?

    public init(
        project: String, container: String, networkProject: String, network: String, interface: String, aliases: [String] = [],
        requestedAddress: String? = nil, ports: [String] = [], hostname: String? = nil, extraHosts: [String] = [],
        address: String? = nil
    ) {
        self.hostname = hostname
        self.extraHosts = extraHosts
        self.project = project
        self.container = container
        self.networkProject = networkProject
        self.network = network
        self.interface = interface
        self.aliases = aliases
        self.requestedAddress = requestedAddress
        self.ports = ports
        self.address = address
    }
}
