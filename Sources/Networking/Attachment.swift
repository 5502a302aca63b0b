import OCI
import BerthSystem
/// A published port, as the portmap plugin takes it (`runtimeConfig.portMappings`).
public struct CNIPortMapping: Sendable, Hashable, Codable {
    public var hostPort: Int
    public var containerPort: Int
    /// `tcp`, `udp` or `sctp`.
    public var `protocol`: String
    /// The host address to listen on; empty for all.
    public var hostIP: String

    public init(hostPort: Int, containerPort: Int, protocol: String = "tcp", hostIP: String = "") {
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.protocol = `protocol`
        self.hostIP = hostIP
    }
}

/// One network a container joins: the network, the interface name inside the container (`eth0`), its
/// aliases (for hosts files), a fixed address if any, and the ports published through this network.
public struct AttachmentRequest: Sendable, Hashable {
    public var network: NetworkSpec
    public var interfaceName: String
    public var aliases: [String]
    public var ipv4Address: IPv4Address?
    public var portMappings: [CNIPortMapping]

    public init(
        network: NetworkSpec, interfaceName: String, aliases: [String] = [], ipv4Address: IPv4Address? = nil, portMappings: [CNIPortMapping] = []
    ) {
        self.network = network
        self.interfaceName = interfaceName
        self.aliases = aliases
        self.ipv4Address = ipv4Address
        self.portMappings = portMappings
    }
}

/// A container's place on one network, as cached on disk after ADD: the exact configuration and
/// parameters the chain ran with (so DEL runs the same chain even after the network's conflist changed or
/// went) and the chain's result (DEL's `prevResult`). `result` is nil while the ADD has not finished: a
/// crash then leaves an entry that a later DEL still releases.
public struct Attachment: Sendable, Equatable, Codable {
    public var container: ContainerKey
    public var network: NetworkSpec
    public var aliases: [String]
    public var portMappings: [CNIPortMapping]
    /// The conflist the chain ran with.
    public var configList: JSONValue
    public var runtime: CNIRuntimeConfig
    public var result: JSONValue?

    /// The container's IPv4 addresses on this network (without prefix length), from the cached result.
    public var addresses: [String] {
        guard let result, let parsed = try? CNIResult(raw: result) else { return [] }
        return parsed.addresses(onInterface: runtime.ifname)
    }

    /// The parsed result, when the ADD finished.
    public var parsedResult: CNIResult? {
        result.flatMap { try? CNIResult(raw: $0) }
    }
}
