import Manifest

extension PodBuilder {
    /// Kubernetes' limits on a Pod's `dnsConfig`.
    static let maxNameservers = 3
    static let maxSearches = 32

    /// `ports` (their container side) and `expose` of `c` as `containerPort` entries, one per port and
    /// protocol, sorted; a port another container of the Pod already declared is not repeated.
    mutating func containerPorts(of c: ContainerDefinition, pod: String) -> [YAMLValue] {
        let declared =
            c.ports.map { (port: PodPort(port: $0.containerPort, proto: $0.proto), field: "ports") }
            + c.expose.map { (port: PodPort(port: $0.port, proto: $0.proto), field: "expose") }
        var own: [PodPort] = []
        for (port, field) in declared where !own.contains(port) {
            if let owner = network.portOwners[port] {
                // Containers that share a network namespace in Berth share its ports too: nothing is lost.
                if networkOwner(of: owner) != networkOwner(of: c.name) {
                    mapper.warnings.leftOut(
                        "port \(port.port)/\(port.proto.rawValue) of container \(c.name) is also a port of container \(owner), "
                            + "which shares Pod \(pod) (a Pod has one network namespace: only one of them can listen on it); left out",
                        at: c.locations[field])
                }
                continue
            }
            own.append(port)
            network.add(port, of: c.name)
        }
        return own.sorted().map(\.containerPort)
    }

    /// The container whose network namespace `name` uses in Berth (following `with-ns` network joins).
    private func networkOwner(of name: String) -> String {
        var current = name
        var seen: Set<String> = []
        while seen.insert(current).inserted, let c = group.containers.first(where: { $0.name == current }),
            let next = c.withNamespaces.lazy.compactMap({ join -> String? in
                guard join.type == .network, case .container(let target) = join.target else { return nil }
                return target
            }).first
        {
            current = next
        }
        return current
    }

    /// `dns`, `dns-search` and `extra-hosts` of `c` into the Pod's settings (one per Pod: the first
    /// container that sets one wins, a different one later is reported).
    mutating func nameResolution(of c: ContainerDefinition, pod: String) {
        if !c.dns.isEmpty {
            var servers = c.dns
            if servers.count > Self.maxNameservers {
                mapper.warnings.leftOut(
                    "dns servers \(servers.dropFirst(Self.maxNameservers).joined(separator: ", ")) cannot be expressed in Kubernetes "
                        + "(at most \(Self.maxNameservers) nameservers per Pod); left out", at: c.locations["dns"])
                servers = Array(servers.prefix(Self.maxNameservers))
            }
            if let existing = network.nameservers {
                if existing.values != servers {
                    mapper.warnings.leftOut(
                        "dns \(servers.joined(separator: ", ")) differs from \(existing.values.joined(separator: ", ")) of container "
                            + "\(existing.container), which shares Pod \(pod) (one DNS configuration per Pod); left out",
                        at: c.locations["dns"])
                }
            } else {
                network.nameservers = (servers, c.name)
                mapper.warnings.note(
                    "dns replaces the cluster's name servers in Pod \(pod) (dnsPolicy None): Service names resolve there "
                        + "only if one of \(servers.joined(separator: ", ")) answers for the cluster's domain", at: c.locations["dns"])
            }
        }
        if !c.dnsSearch.isEmpty {
            var domains: [String] = []
            for domain in c.dnsSearch.map({ $0.lowercased() }) where !domains.contains(domain) {
                if KubernetesNames.isDNSSubdomain(domain) {
                    domains.append(domain)
                } else {
                    mapper.warnings.leftOut(
                        "dns-search domain \(domain) is not a valid Kubernetes search domain (RFC 1123 subdomain); left out",
                        at: c.locations["dns-search"])
                }
            }
            if domains.count > Self.maxSearches {
                mapper.warnings.leftOut(
                    "dns-search domains \(domains.dropFirst(Self.maxSearches).joined(separator: ", ")) cannot be expressed "
                        + "in Kubernetes (at most \(Self.maxSearches) per Pod); left out", at: c.locations["dns-search"])
                domains = Array(domains.prefix(Self.maxSearches))
            }
            if let existing = network.searches {
                if existing.values != domains {
                    mapper.warnings.leftOut(
                        "dns-search \(domains.joined(separator: ", ")) differs from \(existing.values.joined(separator: ", ")) "
                            + "of container \(existing.container), which shares Pod \(pod) (one DNS configuration per Pod); left out",
                        at: c.locations["dns-search"])
                }
            } else if !domains.isEmpty {
                network.searches = (domains, c.name)
            }
        }
        for host in c.extraHosts { extraHost(host, of: c, pod: pod) }
    }

    /// An `extra-hosts` entry with an address becomes a `hostAliases` entry; `host-gateway` cannot.
    private mutating func extraHost(_ host: ExtraHost, of c: ContainerDefinition, pod: String) {
        let location = c.locations["extra-hosts"]
        guard case .ipv4(let ip) = host.address else {
            mapper.warnings.leftOut(
                "extra-hosts \(host.shortForm) cannot be expressed in Kubernetes (host-gateway is the Berth host's bridge "
                    + "address; a Pod's node has no fixed address in the manifest); left out", at: location)
            return
        }
        let name = host.name.lowercased()
        guard KubernetesNames.isDNSSubdomain(name) else {
            mapper.warnings.leftOut(
                "extra-hosts name \(host.name) is not a valid Kubernetes host alias (RFC 1123 subdomain); left out", at: location)
            return
        }
        if let existing = network.hosts[name] {
            if existing.address != ip.description {
                mapper.warnings.leftOut(
                    "extra-hosts \(host.shortForm) differs from \(name):\(existing.address) of container \(existing.container), "
                        + "which shares Pod \(pod) (hostAliases are per Pod); left out", at: location)
            }
            return
        }
        network.hosts[name] = (ip.description, ip.bits, c.name)
        network.hostOrder.append(name)
    }

    /// What the Service cannot carry of `c`'s networking: the host side of published ports, networks,
    /// aliases, fixed addresses and `net-none`. `service` is the Pod's Service name, nil when it has none.
    mutating func networkWarnings(of c: ContainerDefinition, service: String?) {
        if !c.ports.isEmpty {
            let published = c.ports.map(\.shortForm)
            let hostIPs = c.ports.compactMap { $0.hostIP?.description }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            let what = published.count == 1 ? "published port \(published[0]) reaches" : "published ports \(published.joined(separator: ", ")) reach"
            mapper.warnings.leftOut(
                "\(what) the host in Berth; Service \(service ?? "") is ClusterIP, reachable at the container's ports from "
                    + "inside the cluster only, so the host port" + (published.count == 1 ? "" : "s")
                    + (hostIPs.isEmpty ? "" : " and host-ip \(hostIPs.joined(separator: ", "))")
                    + (published.count == 1 && hostIPs.isEmpty ? " is" : " are")
                    + " left out (use a NodePort or LoadBalancer Service, an Ingress, or kubectl port-forward)",
                at: c.locations["ports"])
        }
        let reach =
            service.map { "other Pods reach this one by its Service name \($0)" }
            ?? "this Pod has no Service (no `ports` or `expose`), so other Pods cannot reach it by name"
        let named = c.networks.map(\.network).filter { $0 != NetworkDefinition.defaultName }
        if !named.isEmpty {
            mapper.warnings.leftOut(
                "networks \(named.joined(separator: ", ")) cannot be expressed in Kubernetes (one flat Pod network: every Pod "
                    + "reaches every other unless a NetworkPolicy says otherwise); \(reach); left out", at: c.locations["networks"])
        }
        for membership in c.networks where !membership.aliases.isEmpty {
            mapper.warnings.leftOut(
                "aliases \(membership.aliases.joined(separator: ", ")) on network \(membership.network) cannot be expressed in "
                    + "Kubernetes (a Pod has no DNS names of its own); \(reach); left out", at: c.locations["networks"])
        }
        for membership in c.networks {
            guard let address = membership.ipv4Address else { continue }
            mapper.warnings.leftOut(
                "ipv4-address \(address) on network \(membership.network) cannot be expressed in Kubernetes "
                    + "(the cluster assigns Pod addresses); left out", at: c.locations["networks"])
        }
        if c.netNone {
            mapper.warnings.leftOut(
                "`net-none` cannot be expressed in Kubernetes (every Pod has a network interface and an address); left out",
                at: c.locations["net-none"])
        }
    }
}
