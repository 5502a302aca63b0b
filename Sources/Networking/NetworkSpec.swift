import BerthSystem
import Foundation
import OCI

/// One Berth network, as plain values: what the conflist is generated from. The caller (the executor,
/// from the manifest) decides names and subnets; this type only checks them.
public struct NetworkSpec: Sendable, Hashable, Codable {
    /// The CNI network name (`<project>_default`), checked by `Names` (`NameKind.network`).
    public var name: String
    /// The Linux bridge, at most 15 characters (IFNAMSIZ); see `bridgeName(network:scope:)`.
    public var bridgeName: String
    public var subnet: IPv4Subnet
    /// The bridge's address and the containers' gateway; the subnet's first host when nil.
    public var gateway: IPv4Address?
    /// No route out and no masquerade: the bridge gets no address, the containers no default route, and
    /// no ports can be published into it.
    public var `internal`: Bool

    /// Checks every field; throws a usage error naming the bad value.
    public init(name: String, bridgeName: String, subnet: IPv4Subnet, gateway: IPv4Address? = nil, internal: Bool = false) throws {
        try Names.validate(name, .network, source: "network name")
        try Self.validateInterfaceName(bridgeName, what: "bridge name")
        guard IPv4Subnet.bridgePrefixLengths.contains(subnet.prefixLength) else {
            throw NetworkError.invalidValue("subnet", subnet.description, "a bridge network's prefix length is between 8 and 30")
        }
        if let gateway, !subnet.containsHost(gateway) {
            throw NetworkError.invalidValue("gateway", gateway.description, "it is not a host address of \(subnet)")
        }
        self.name = name
        self.bridgeName = bridgeName
        self.subnet = subnet
        self.gateway = gateway
        self.internal = `internal`
    }

    /// Decoding checks every field as `init` does: a cached or edited file cannot smuggle in a bad name.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            name: container.decode(String.self, forKey: .name), bridgeName: container.decode(String.self, forKey: .bridgeName),
            subnet: container.decode(IPv4Subnet.self, forKey: .subnet), gateway: container.decodeIfPresent(IPv4Address.self, forKey: .gateway),
            internal: container.decode(Bool.self, forKey: .internal))
    }

    /// The gateway in effect.
    public var effectiveGateway: IPv4Address { gateway ?? subnet.firstHost }

    /// A bridge name derived from the network name: `berth-` and 9 hex digits of a SHA-256 of `scope`
    /// (the state root, so two roots with the same project never share a bridge) and the name. Always
    /// 15 characters, the longest a Linux interface name may be.
    public static func bridgeName(network: String, scope: String) -> String {
        "berth-" + SHA256Hex.of(Data((scope + "\u{0}" + network).utf8)).prefix(9)
    }

    /// A Linux interface name: 1–15 characters from `[A-Za-z0-9_.-]`, not `.` or `..`.
    static func validateInterfaceName(_ name: String, what: String) throws(NetworkError) {
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && (Names.isAlphanumericASCII($0) || "_.-".unicodeScalars.contains($0)) }
        guard !name.isEmpty, name.utf8.count <= 15, allowed, name != ".", name != ".." else {
            throw NetworkError.invalidValue(what, name, "an interface name is 1 to 15 letters, digits, `_`, `.` or `-`")
        }
    }

    /// The conflist for this network: bridge with host-local IPAM (leases under `ipamDataDirectory`),
    /// then portmap (published ports, with SNAT so the host's own connections to them work), then firewall
    /// (iptables backend). An internal network has neither gateway nor masquerade nor portmap.
    public func configList(ipamDataDirectory: String) -> CNIConfigList {
        var ipam: [String: JSONValue] = [
            "type": "host-local", "dataDir": .string(ipamDataDirectory),
            "ranges": [[["subnet": .string(subnet.description), "gateway": .string(effectiveGateway.description)]]],
        ]
        if !`internal` { ipam["routes"] = [["dst": "0.0.0.0/0"]] }
        let bridge: [String: JSONValue] = [
            "type": "bridge", "bridge": .string(bridgeName), "isGateway": .bool(!`internal`), "ipMasq": .bool(!`internal`),
            "hairpinMode": true, "capabilities": ["ips": true], "ipam": .object(ipam),
        ]
        var plugins = [bridge]
        if !`internal` {
            plugins.append(["type": "portmap", "capabilities": ["portMappings": true], "snat": true])
        }
        plugins.append(["type": "firewall", "backend": "iptables"])
        return CNIConfigList(cniVersion: "1.0.0", name: name, plugins: plugins)
    }
}
