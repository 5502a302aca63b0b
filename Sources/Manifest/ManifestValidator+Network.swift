import BerthSystem
import Diagnostics

/// The network rules: top-level networks, and each container's ports, networks, DNS and extra hosts.
extension ManifestValidator {
    /// Declared networks, sorted by name; `default` is added (undeclared) when a container is on it.
    mutating func validateNetworks(_ declared: [NetworkDescription], containers: [ContainerDefinition]) -> [NetworkDefinition] {
        var networks: [NetworkDefinition] = []
        for d in declared {
            if !Names.isValid(d.name.value, .network) {
                diagnostics.append(ManifestDiagnostics.invalidName(.network, d.name.value, at: d.name.location))
            }
            var network = NetworkDefinition(name: d.name.value, isInternal: d.isInternal?.value ?? false, location: d.name.location)
            if let external = d.external {
                if d.subnet != nil || d.gateway != nil || d.isInternal != nil {
                    diagnostics.append(ManifestDiagnostics.externalWithSettings(d.name.value, at: external.location))
                }
                if Names.isValid(external.value, .network) {
                    network.external = external.value
                } else {
                    diagnostics.append(ManifestDiagnostics.invalidExternal(external.value, at: external.location))
                }
            }
            if let subnet = d.subnet {
                if let parsed = IPv4Subnet(subnet.value), IPv4Subnet.bridgePrefixLengths.contains(parsed.prefixLength) {
                    network.subnet = parsed
                } else {
                    diagnostics.append(ManifestDiagnostics.invalidSubnet(subnet.value, at: subnet.location))
                }
            }
            if let gateway = d.gateway {
                if let address = IPv4Address(gateway.value) {
                    if let subnet = network.subnet, !subnet.containsHost(address) {
                        diagnostics.append(
                            ManifestDiagnostics.addressOutsideSubnet("gateway", gateway.value, subnet: subnet.description, at: gateway.location))
                    } else if network.subnet == nil {
                        diagnostics.append(ManifestDiagnostics.fixedAddressWithoutSubnet(d.name.value, at: gateway.location))
                    }
                    network.gateway = address
                } else {
                    diagnostics.append(ManifestDiagnostics.invalidAddress("gateway", gateway.value, at: gateway.location))
                }
            }
            networks.append(network)
        }
        networks.sort { $0.name < $1.name }
        for (i, a) in networks.enumerated() {
            for b in networks[(i + 1)...] {
                guard let subnetA = a.subnet, let subnetB = b.subnet, subnetA.overlaps(subnetB), let location = b.location else { continue }
                diagnostics.append(
                    ManifestDiagnostics.overlappingSubnets(a.name, subnetA.description, b.name, subnetB.description, at: location))
            }
        }
        return NetworkDefinition.effective(declared: networks, containers: containers)
    }

    /// A container's network fields, checked against the declared networks.
    mutating func validateNetworking(_ d: ContainerDescription, into c: inout ContainerDefinition) {
        let declared = declaredNetworks
        c.netNone = d.netNone?.value ?? false
        c.ports = (d.ports?.value ?? []).flatMap { ports($0) }
        c.expose = (d.expose?.value ?? []).compactMap { exposed($0) }
        c.dns = (d.dns?.value ?? []).map { server in
            if IPv4Address(server.value) == nil {
                diagnostics.append(ManifestDiagnostics.invalidNameServer(server.value, at: server.location))
            }
            return server.value
        }
        c.dnsSearch = (d.dnsSearch?.value ?? []).map { domain in
            if !ValueRules.isValidHostname(domain.value) {
                diagnostics.append(ManifestDiagnostics.invalidHostname(domain.value, at: domain.location))
            }
            return domain.value
        }
        c.extraHosts = (d.extraHosts?.value ?? []).compactMap { entry in
            guard let host = ExtraHost.parse(entry.value) else {
                diagnostics.append(ManifestDiagnostics.invalidExtraHost(entry.value, at: entry.location))
                return nil
            }
            return host
        }
        c.networks = memberships(d.networks, declared: declared)
        checkNetworkingConflicts(d, c)
    }

    /// Ports of different containers that want the same host socket.
    mutating func checkPortConflicts(_ descriptions: [ContainerDescription], _ containers: [ContainerDefinition]) {
        var taken: [(mapping: PortMapping, container: String)] = []
        for (d, c) in zip(descriptions, containers) {
            for mapping in c.ports {
                if let other = taken.first(where: { $0.mapping.conflicts(with: mapping) }) {
                    let location = d.fieldLocations["ports"] ?? d.name.location
                    diagnostics.append(
                        ManifestDiagnostics.portConflict(mapping.shortForm, container: c.name, other: other.container, at: location))
                } else {
                    taken.append((mapping, c.name))
                }
            }
        }
    }

    /// Ports are published through a container's first network that is not internal (an internal one has
    /// no way out): a container on internal networks only cannot publish any.
    mutating func checkPublishedNetworks(_ manifest: ProjectManifest, _ descriptions: [ContainerDescription]) {
        for c in manifest.containers where !c.ports.isEmpty && !c.attachments.isEmpty {
            guard c.attachments.allSatisfy({ manifest.network(named: $0.network)?.isInternal == true }),
                let d = descriptions.first(where: { $0.name.value == c.name })
            else { continue }
            diagnostics.append(
                ManifestDiagnostics.networkingConflict(
                    "ports", "internal networks only (\(c.attachments.map(\.network).joined(separator: ", "))): an internal network has no way out",
                    at: d.fieldLocations["ports"] ?? d.name.location))
        }
    }

    private mutating func checkNetworkingConflicts(_ d: ContainerDescription, _ c: ContainerDefinition) {
        let joinsNetwork = c.withNamespaces.contains { $0.type == .network }
        let at = { (key: String) in d.fieldLocations[key] ?? d.name.location }
        if c.netNone, c.netHost { diagnostics.append(ManifestDiagnostics.networkingConflict("net-none", "`net-host`", at: at("net-none"))) }
        if c.netNone, joinsNetwork {
            diagnostics.append(ManifestDiagnostics.networkingConflict("net-none", "a `with-ns` network namespace", at: at("net-none")))
        }
        for key in ["networks", "ports"] where d.fieldLocations[key] != nil {
            if c.netHost {
                diagnostics.append(
                    ManifestDiagnostics.networkingConflict(
                        key, key == "ports" ? "`net-host`: the container listens on the host's ports itself" : "`net-host`", at: at(key)))
            } else if joinsNetwork {
                diagnostics.append(
                    ManifestDiagnostics.networkingConflict(
                        key, "a `with-ns` network namespace: \(key) belong to the namespace's owner", at: at(key)))
            } else if c.netNone {
                diagnostics.append(ManifestDiagnostics.networkingConflict(key, "`net-none`", at: at(key)))
            }
        }
    }

    private mutating func memberships(_ list: Located<[NetworkMembershipDescription]>?, declared: [NetworkDescription]) -> [NetworkMembership] {
        var result: [NetworkMembership] = []
        let known = declared.map(\.name.value)
        for m in list?.value ?? [] {
            let name = m.name.value
            guard name == NetworkDefinition.defaultName || known.contains(name) else {
                diagnostics.append(ManifestDiagnostics.unknownNetwork(name, known: known, at: m.name.location))
                continue
            }
            if result.contains(where: { $0.network == name }) {
                diagnostics.append(ManifestDiagnostics.duplicateEntry("networks", name, at: m.name.location))
                continue
            }
            var membership = NetworkMembership(network: name)
            for alias in m.aliases {
                if !ValueRules.isValidHostname(alias.value) {
                    diagnostics.append(ManifestDiagnostics.invalidHostname(alias.value, at: alias.location))
                }
                if !membership.aliases.contains(alias.value) { membership.aliases.append(alias.value) }
            }
            if let fixed = m.ipv4Address {
                let network = declared.first { $0.name.value == name }
                if let address = IPv4Address(fixed.value) {
                    if let text = network?.subnet?.value, let subnet = IPv4Subnet(text) {
                        let gateway = network?.gateway.flatMap { IPv4Address($0.value) } ?? subnet.firstHost
                        if !subnet.containsHost(address) {
                            diagnostics.append(
                                ManifestDiagnostics.addressOutsideSubnet("ipv4-address", fixed.value, subnet: text, at: fixed.location))
                        } else if address == gateway {
                            diagnostics.append(ManifestDiagnostics.addressIsGateway(fixed.value, network: name, at: fixed.location))
                        }
                    } else if network?.subnet == nil {
                        diagnostics.append(ManifestDiagnostics.fixedAddressWithoutSubnet(name, at: fixed.location))
                    }
                    membership.ipv4Address = address
                } else {
                    diagnostics.append(ManifestDiagnostics.invalidAddress("ipv4-address", fixed.value, at: fixed.location))
                }
            }
            result.append(membership)
        }
        // Attached in name order (eth0 is the first by name), whatever order the manifest lists them in.
        return result.sorted { $0.network < $1.network }
    }

    // MARK: Ports

    private mutating func ports(_ entry: Located<PortDescription>) -> [PortMapping] {
        switch entry.value {
        case .short(let text):
            switch PortSyntax.parse(text.value) {
            case .success(let mappings): return mappings
            case .failure(let problem):
                diagnostics.append(ManifestDiagnostics.invalidPort(text.value, problem: problem.text, at: text.location))
                return []
            }
        case .long(let target, let published, let hostIP, let proto):
            guard let target else {
                diagnostics.append(ManifestDiagnostics.invalidPort("{…}", problem: "the long form needs `target`", at: entry.location))
                return []
            }
            var short = (hostIP.map { "\($0.value):" } ?? "") + (published.map { "\($0.value):" } ?? "") + target.value
            if let proto { short += "/\(proto.value)" }
            switch PortSyntax.parse(short) {
            case .success(let mappings): return mappings
            case .failure(let problem):
                diagnostics.append(ManifestDiagnostics.invalidPort(short, problem: problem.text, at: entry.location))
                return []
            }
        }
    }

    private mutating func exposed(_ entry: Located<String>) -> ExposedPort? {
        guard let exposed = ExposedPort(parsing: entry.value) else {
            diagnostics.append(
                ManifestDiagnostics.invalidPort(entry.value, problem: "expected PORT or PORT/PROTOCOL (tcp, udp, sctp)", at: entry.location))
            return nil
        }
        return exposed
    }
}
