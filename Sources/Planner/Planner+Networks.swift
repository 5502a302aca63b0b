import BerthSystem
import Diagnostics
import Manifest
import State

extension Planner {
    /// Where subnets are chosen from when a network does not ask for one: /24s of 10.89.0.0/16, the first
    /// that no Berth network of any project and no host route overlaps (podman's default range starts there).
    static let subnetPool = (0...255).compactMap { IPv4Subnet(network: IPv4Address(bits: 0x0A59_0000 | UInt32($0) << 8), prefixLength: 24) }

    /// The networks of `manifest` as `project` needs them, with their subnets; problems become diagnostics.
    func planNetworks(_ manifest: ProjectManifest, project: String, inputs: PlanInputs, diagnostics: inout [Diagnostic]) -> [PlannedNetwork] {
        var planned: [PlannedNetwork] = []
        let others = inputs.networks.filter { $0.project != project }
        var taken: [IPv4Subnet] = others.compactMap { IPv4Subnet($0.subnet) } + inputs.hostRoutes
        // Declared subnets first, so an allocated one never takes a range the manifest names.
        taken += manifest.networks.compactMap(\.subnet)
        for network in manifest.networks {
            let location = network.location
            if let external = network.external {
                guard let record = inputs.networks.first(where: { $0.fullName == external }),
                    let subnet = IPv4Subnet(record.subnet), let gateway = IPv4Address(record.gateway)
                else {
                    diagnostics.append(
                        .error(
                            at: location,
                            "external network `\(external)` does not exist; apply the project that declares it first (`berth network ls` lists them)"
                        ))
                    continue
                }
                planned.append(
                    PlannedNetwork(
                        name: network.name, owner: record.project, action: .external, subnet: subnet, gateway: gateway,
                        isInternal: record.isInternal))
                continue
            }
            if let record = inputs.networks.first(where: { $0.project == project && $0.name == network.name }),
                let subnet = IPv4Subnet(record.subnet), let gateway = IPv4Address(record.gateway)
            {
                let changed =
                    (network.subnet.map { $0 != subnet } ?? false) || (network.gateway.map { $0 != gateway } ?? false)
                    || network.isInternal != record.isInternal
                if changed {
                    diagnostics.append(
                        .error(
                            at: location,
                            "network `\(network.name)` exists as \(subnet) (gateway \(gateway)\(record.isInternal ? ", internal" : "")); "
                                + "`berth down` the project to make it again with the new settings"))
                }
                planned.append(
                    PlannedNetwork(
                        name: network.name, owner: project, action: .unchanged, subnet: subnet, gateway: gateway,
                        isInternal: record.isInternal))
                continue
            }
            let subnet: IPv4Subnet
            if let declared = network.subnet {
                if let clash = others.first(where: { IPv4Subnet($0.subnet)?.overlaps(declared) == true }) {
                    diagnostics.append(
                        .error(at: location, "subnet \(declared) overlaps network `\(clash.fullName)` (\(clash.subnet)); choose another range"))
                    continue
                }
                if let route = inputs.hostRoutes.first(where: { $0.overlaps(declared) }) {
                    diagnostics.append(.error(at: location, "subnet \(declared) overlaps the host's route to \(route); choose another range"))
                    continue
                }
                subnet = declared
            } else {
                guard let free = Self.subnetPool.first(where: { candidate in !taken.contains { $0.overlaps(candidate) } }) else {
                    diagnostics.append(
                        .error(at: location, "no free /24 left in 10.89.0.0/16 for network `\(network.name)`; give it a `subnet`"))
                    continue
                }
                subnet = free
                taken.append(free)
            }
            planned.append(
                PlannedNetwork(
                    name: network.name, owner: project, action: .create, subnet: subnet,
                    gateway: network.gateway ?? subnet.firstHost, isInternal: network.isInternal))
        }
        checkPublishedPorts(manifest, project: project, inputs: inputs, diagnostics: &diagnostics)
        return planned
    }

    /// Host ports that containers of other projects hold (as recorded) cannot be published again.
    private func checkPublishedPorts(_ manifest: ProjectManifest, project: String, inputs: PlanInputs, diagnostics: inout [Diagnostic]) {
        let held = inputs.attachments.filter { $0.project != project }.flatMap { record in
            record.ports.compactMap { PortMapping(shortForm: $0) }.map { (mapping: $0, owner: "\(record.project)/\(record.container)") }
        }
        for container in manifest.containers {
            for mapping in container.ports {
                if let other = held.first(where: { $0.mapping.conflicts(with: mapping) }) {
                    diagnostics.append(
                        .error(
                            at: container.locations["ports"],
                            "host port \(mapping.shortForm) of `\(container.name)` is held by \(other.owner); choose another published port"))
                }
            }
        }
    }
}
