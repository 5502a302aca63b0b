import Manifest

/// A port a Pod listens on: a `containerPort` of the container that declares it, and a port of the
/// workload's Service.
struct PodPort: Hashable, Comparable, Sendable {
    var port: UInt16
    var proto: PortProtocol

    /// `tcp-80`: a valid IANA service name (lowercase, at most 15 characters), one per port and protocol.
    var name: String { "\(proto.rawValue)-\(port)" }

    /// Kubernetes spells protocols in capitals.
    var kubernetesProtocol: String { proto.rawValue.uppercased() }

    var containerPort: YAMLValue {
        .map(["name": .string(name), "containerPort": .int(Int64(port)), "protocol": .string(kubernetesProtocol)])
    }

    /// In the cluster, clients use the container's port, as other containers do by name in Berth.
    var servicePort: YAMLValue {
        .map([
            "name": .string(name), "port": .int(Int64(port)), "targetPort": .int(Int64(port)),
            "protocol": .string(kubernetesProtocol),
        ])
    }

    static func < (a: Self, b: Self) -> Bool { (a.port, a.proto) < (b.port, b.proto) }
}

/// What a Pod's containers ask of its one network namespace: ports, DNS settings and /etc/hosts entries.
struct PodNetwork {
    /// Every port of the Pod, sorted: the Service's ports.
    private(set) var ports: [PodPort] = []
    /// The container that declared each port first.
    private(set) var portOwners: [PodPort: String] = [:]
    var nameservers: (values: [String], container: String)?
    var searches: (values: [String], container: String)?
    /// Host name → its address (dotted and as a number, for sorting) and the container that asked for it.
    var hosts: [String: (address: String, bits: UInt32, container: String)] = [:]
    /// Host names in the order the containers list them.
    var hostOrder: [String] = []

    mutating func add(_ port: PodPort, of container: String) {
        portOwners[port] = container
        ports.append(port)
        ports.sort()
    }

    /// `dnsPolicy`, `dnsConfig` and `hostAliases` of the Pod spec: `dns` replaces the cluster's name
    /// servers (`dnsPolicy: None`); `dns-search` alone adds search domains to the cluster's.
    var specFields: [String: YAMLValue] {
        var fields: [String: YAMLValue] = [:]
        var config: [String: YAMLValue] = [:]
        if let nameservers {
            fields["dnsPolicy"] = .string("None")
            config["nameservers"] = .list(nameservers.values.map { .string($0) })
        }
        if let searches { config["searches"] = .list(searches.values.map { .string($0) }) }
        if !config.isEmpty { fields["dnsConfig"] = .map(config) }
        var byAddress: [String: (bits: UInt32, names: [String])] = [:]
        for name in hostOrder {
            guard let host = hosts[name] else { continue }
            byAddress[host.address, default: (host.bits, [])].names.append(name)
        }
        if !byAddress.isEmpty {
            fields["hostAliases"] = .list(
                byAddress.sorted { $0.value.bits < $1.value.bits }.map { address, entry in
                    .map(["ip": .string(address), "hostnames": .list(entry.names.map { .string($0) })])
                })
        }
        return fields
    }
}
