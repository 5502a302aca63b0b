import BerthSystem
import Diagnostics

/// A network of the project (top-level `networks:`, or the implicit `default`): a Linux bridge with its own
/// subnet, made through the CNI bridge plugin. Its full name is `<project>_<name>`, as compose names it.
public struct NetworkDefinition: Hashable, Sendable, Codable {
    /// The name containers use (`default` for the project's default network).
    public var name: String
    /// The subnet asked for; nil lets the planner pick a free one.
    public var subnet: IPv4Subnet?
    /// The bridge's address; nil: the subnet's first host address.
    public var gateway: IPv4Address?
    /// No route out and no masquerading: containers reach each other only.
    public var isInternal: Bool
    /// The full name of a network another project made (`other_default`): used, never created or removed.
    public var external: String?
    /// Whether the manifest declares it (the implicit default network is not declared).
    public var isDeclared: Bool
    /// Where the network was declared; nil for the implicit default network and in saved plans.
    public var location: SourceLocation?

    /// The name of the network every container joins unless it says otherwise.
    public static let defaultName = "default"

    public init(
        name: String, subnet: IPv4Subnet? = nil, gateway: IPv4Address? = nil, isInternal: Bool = false,
        external: String? = nil, isDeclared: Bool = true, location: SourceLocation? = nil
    ) {
        self.isDeclared = isDeclared
        self.name = name
        self.subnet = subnet
        self.gateway = gateway
        self.isInternal = isInternal
        self.external = external
        self.location = location
    }

    enum CodingKeys: String, CodingKey {
        case name, subnet, gateway, isInternal = "internal", external, isDeclared = "declared"
    }

    /// Locations are not part of a network's identity (nor of saved plans).
    public static func == (a: Self, b: Self) -> Bool {
        (a.name, a.subnet, a.gateway, a.isInternal, a.external, a.isDeclared)
            == (b.name, b.subnet, b.gateway, b.isInternal, b.external, b.isDeclared)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(subnet)
        hasher.combine(gateway)
        hasher.combine(isInternal)
        hasher.combine(external)
        hasher.combine(isDeclared)
    }

    /// The networks a project has: those declared, plus the undeclared `default` when a container is on it;
    /// sorted by name.
    public static func effective(declared: [NetworkDefinition], containers: [ContainerDefinition]) -> [NetworkDefinition] {
        var networks = declared.sorted { $0.name < $1.name }
        let usesDefault = containers.contains { $0.attachments.contains { $0.network == defaultName } }
        if usesDefault, !networks.contains(where: { $0.name == defaultName }) {
            networks.append(NetworkDefinition(name: defaultName, isDeclared: false))
            networks.sort { $0.name < $1.name }
        }
        return networks
    }
}

/// A transport protocol of a published or exposed port.
public enum PortProtocol: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    case tcp
    case udp
    case sctp

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// One published port (`ports:`): traffic to `hostIP:hostPort` on the host goes to `containerPort` in the
/// container. Ranges are expanded into one mapping per port.
public struct PortMapping: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The host address to listen on; nil: every address (`0.0.0.0`).
    public var hostIP: IPv4Address?
    public var hostPort: UInt16
    public var containerPort: UInt16
    public var proto: PortProtocol

    public init(hostIP: IPv4Address? = nil, hostPort: UInt16, containerPort: UInt16, proto: PortProtocol = .tcp) {
        self.hostIP = hostIP
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.proto = proto
    }

    enum CodingKeys: String, CodingKey {
        case hostIP = "host-ip", hostPort = "published", containerPort = "target", proto = "protocol"
    }

    /// As docker prints it: `0.0.0.0:8080->80/tcp`.
    public var description: String {
        "\(hostIP?.description ?? "0.0.0.0"):\(hostPort)->\(containerPort)/\(proto.rawValue)"
    }

    /// The short form that reads back to this mapping: `[HOST-IP:]PUBLISHED:TARGET[/PROTOCOL]`.
    public var shortForm: String {
        (hostIP.map { "\($0):" } ?? "") + "\(hostPort):\(containerPort)" + (proto == .tcp ? "" : "/\(proto.rawValue)")
    }

    /// Whether two mappings want the same host socket: same port and protocol on overlapping addresses.
    public func conflicts(with other: PortMapping) -> Bool {
        hostPort == other.hostPort && proto == other.proto
            && (hostIP == nil || other.hostIP == nil || hostIP == other.hostIP)
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.hostPort, a.proto, a.hostIP?.bits ?? 0, a.containerPort) < (b.hostPort, b.proto, b.hostIP?.bits ?? 0, b.containerPort)
    }
}

/// A port the container listens on without publishing it (`expose:`): documentation, and a Service port
/// in the Kubernetes export.
public struct ExposedPort: Hashable, Sendable, Codable, Comparable {
    public var port: UInt16
    public var proto: PortProtocol

    public init(port: UInt16, proto: PortProtocol = .tcp) {
        self.port = port
        self.proto = proto
    }

    enum CodingKeys: String, CodingKey {
        case port, proto = "protocol"
    }

    public static func < (a: Self, b: Self) -> Bool { (a.port, a.proto) < (b.port, b.proto) }
}

/// A network a container is on, with the extra names it answers to there and an optional fixed address.
public struct NetworkMembership: Hashable, Sendable, Codable {
    public var network: String
    public var aliases: [String]
    public var ipv4Address: IPv4Address?

    public init(network: String, aliases: [String] = [], ipv4Address: IPv4Address? = nil) {
        self.network = network
        self.aliases = aliases
        self.ipv4Address = ipv4Address
    }

    enum CodingKeys: String, CodingKey {
        case network, aliases, ipv4Address = "ipv4-address"
    }
}

/// An `extra-hosts` entry: a name and the address it resolves to in the container's /etc/hosts.
public struct ExtraHost: Hashable, Sendable, Codable {
    public enum Address: Hashable, Sendable {
        case ipv4(IPv4Address)
        /// `host-gateway`: the host's address on the container's first network (its bridge).
        case hostGateway
    }

    public var name: String
    public var address: Address

    public init(name: String, address: Address) {
        self.name = name
        self.address = address
    }

    /// `name:address` as written (`host-gateway` for the host).
    public var shortForm: String {
        switch address {
        case .ipv4(let ip): return "\(name):\(ip)"
        case .hostGateway: return "\(name):host-gateway"
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let host = ExtraHost.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not name:address: \(text)"))
        }
        self = host
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(shortForm)
    }

    /// `name:ip` or `name:host-gateway` (compose also writes `name=ip`).
    static func parse(_ text: String) -> ExtraHost? {
        guard let separator = text.firstIndex(where: { $0 == ":" || $0 == "=" }) else { return nil }
        let name = String(text[..<separator])
        let value = String(text[text.index(after: separator)...])
        guard ValueRules.isValidHostname(name) else { return nil }
        if value == "host-gateway" { return ExtraHost(name: name, address: .hostGateway) }
        guard let ip = IPv4Address(value) else { return nil }
        return ExtraHost(name: name, address: .ipv4(ip))
    }
}

extension ContainerDefinition {
    /// The networks the container is attached to through CNI: those it lists, else the project's default
    /// network — none when it shares the host's network (`net-host`), joins another network namespace
    /// (`with-ns` network), or asks for none (`net-none`).
    public var attachments: [NetworkMembership] {
        if netHost || netNone || withNamespaces.contains(where: { $0.type == .network }) { return [] }
        return networks.isEmpty ? [NetworkMembership(network: NetworkDefinition.defaultName)] : networks
    }
}
