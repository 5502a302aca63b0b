import BerthSystem
import Foundation
import Manifest
import Networking
import Planner
import Snapshots
import State

/// Connects containers to their networks through the CNI plugins and keeps every member's /etc/hosts in step
/// with the state: addresses are recorded, and the hosts files of everyone sharing a network rewritten in
/// place, in one state transaction. Memberships are recorded before a network is attached, so that what a
/// crash leaves behind is found and released by the next apply or down (`releaseStale`).
///
/// A container keeps its network namespace and addresses while its record exists (stopped or exited
/// alike) and loses them when it is removed (replace, down, prune).
public struct ContainerNetworking: Sendable {
    public var root: StateRoot
    public var state: StateStore
    public var networks: Networks

    /// `cniPath`: plugin directories (`--cni-path`, `BERTH_CNI_PATH`); nil: /usr/lib/cni.
    public init(root: StateRoot, state: StateStore, cniPath: String? = EnvironmentVariable.value("BERTH_CNI_PATH")) throws {
        self.root = root
        self.state = state
        networks = Networks(paths: try NetworkPaths(root: root.path + "/network"), plugins: CNIPlugins(path: cniPath), scope: root.identity)
    }

    /// The one file Berth writes outside its state root: subnets and bridges belong to the host, shared by
    /// every state root, so choosing and making them is serialized host-wide (`flock`, released on exit).
    public static let hostLockPath = "/run/lock/berth-networks.lock"

    /// Waits for the host-wide network lock.
    public static func lockHostNetworks() throws -> FileLock {
        try? FileManager.default.createDirectory(atPath: "/run/lock", withIntermediateDirectories: true)
        do {
            return try FileLock(path: hostLockPath)
        } catch {
            throw ExecutorError("network-lock-failed", error.description)
        }
    }

    /// The CNI name of a network: `<owner>_<name>`, shortened with a hash when longer than a name may be.
    static func cniName(owner: String, name: String) -> String {
        let full = "\(owner)_\(name)"
        guard full.count > Names.maximumLength else { return full }
        return String(full.prefix(Names.maximumLength - 13)) + "-" + SHA256Hex.of(Data(full.utf8)).prefix(12)
    }

    func spec(owner: String, name: String, subnet: IPv4Subnet, gateway: IPv4Address, isInternal: Bool) throws -> NetworkSpec {
        let cni = Self.cniName(owner: owner, name: name)
        return try NetworkSpec(
            name: cni, bridgeName: NetworkSpec.bridgeName(network: cni, scope: root.identity), subnet: subnet, gateway: gateway,
            internal: isInternal)
    }

    func spec(_ planned: PlannedNetwork) throws -> NetworkSpec {
        try spec(owner: planned.owner, name: planned.name, subnet: planned.subnet, gateway: planned.gateway, isInternal: planned.isInternal)
    }

    func spec(_ record: NetworkRecord) throws -> NetworkSpec {
        guard let subnet = IPv4Subnet(record.subnet), let gateway = IPv4Address(record.gateway) else {
            throw ExecutorError("network-record-invalid", "network \(record.fullName) has an unreadable subnet or gateway in the state")
        }
        return try spec(owner: record.project, name: record.name, subnet: subnet, gateway: gateway, isInternal: record.isInternal)
    }

    /// Records the networks `plan` makes (their subnets as planned) and writes their conflists.
    public func prepare(_ plan: Plan) throws {
        for network in plan.networks where network.action != .external {
            let spec = try spec(network)
            if network.action == .create, access("/sys/class/net/\(spec.bridgeName)", F_OK) == 0 {
                // The bridge of an earlier network of this name that the state no longer records (a lost
                // database): its members were released above, so it goes, with its leases, before it is made again.
                try networks.removeNetwork(spec)
            }
            if network.action == .create {
                try state.saveNetwork(
                    NetworkRecord(
                        project: plan.project, name: network.name, subnet: network.subnet.description,
                        gateway: network.gateway.description, bridge: spec.bridgeName, isInternal: network.isInternal))
            }
            try networks.writeConfigList(spec)
        }
    }

    /// Where a container's name-resolution files live (bind-mounted over /etc/hosts and /etc/resolv.conf).
    public func resolutionFiles(project: String, name: String) throws -> (hosts: String, resolvConf: String) {
        let directory = try root.containerDirectory(project: project, name: name)
        return (directory + "/hosts", directory + "/resolv.conf")
    }

    /// The netns file of a container attached to networks.
    public func namespacePath(project: String, name: String) throws -> String {
        try networks.paths.netns(ContainerKey(project: project, name: name))
    }

    /// The memberships of a planned container, as recorded: interfaces in network order, ports on the first.
    func memberships(of definition: ContainerDefinition, project: String, plan: Plan) throws -> [AttachmentRecord] {
        var records: [AttachmentRecord] = []
        let first = plan.network(named: definition.attachments.first?.network ?? "")
        // Ports are published through the first network (by name) that is not internal: an internal network
        // has no way out (the validator refuses ports on a container whose networks are all internal).
        let publishing = definition.attachments.firstIndex { !(plan.network(named: $0.network)?.isInternal ?? false) }
        for (index, membership) in definition.attachments.enumerated() {
            guard let network = plan.network(named: membership.network) else {
                throw ExecutorError("network-not-planned", "network \(membership.network) of \(definition.name) is not in the plan")
            }
            let extraHosts = definition.extraHosts.map { host -> String in
                switch host.address {
                case .ipv4(let address): return "\(host.name) \(address)"
                case .hostGateway: return "\(host.name) \(first?.gateway.description ?? "127.0.0.1")"
                }
            }
            records.append(
                AttachmentRecord(
                    project: project, container: definition.name, networkProject: network.owner, network: network.name,
                    interface: "eth\(index)", aliases: membership.aliases, requestedAddress: membership.ipv4Address?.description,
                    ports: index == publishing ? definition.ports.map(\.shortForm) : [], hostname: definition.hostname, extraHosts: extraHosts))
        }
        return records
    }

    /// Connects a new container: memberships recorded, netns made, the ADD chains run, addresses recorded
    /// and every member's hosts file rewritten, resolv.conf written. Nothing when it is on no network.
    /// `namespaceReady` is called once the netns exists, before the chains run (the runtime may create the
    /// container in it meanwhile).
    public func attach(
        _ definition: ContainerDefinition, project: String, plan: Plan, namespaceReady: () -> Void = {}
    ) throws {
        let records = try memberships(of: definition, project: project, plan: plan)
        guard !records.isEmpty else { return }
        try state.setAttachments(project: project, container: definition.name, records)
        let files = try resolutionFiles(project: project, name: definition.name)
        let (conf, _) = ResolvConf.forContainer(dns: definition.dns, dnsSearch: definition.dnsSearch)
        try ResolutionFile.write(conf.text, to: files.resolvConf, inside: root.path)
        // The hosts file exists before the runtime may create the container (it bind-mounts it); without
        // addresses yet, it is rewritten in place, same inode, once the chains have given them.
        try ResolutionFile.write(try Self.hostsFile(project: project, name: definition.name, all: records), to: files.hosts, inside: root.path)
        try connect(project: project, name: definition.name, records: records, namespaceReady: namespaceReady)
    }

    /// Whether the container's netns file (`namespacePath`) holds a namespace.
    public func hasNamespace(project: String, name: String) throws -> Bool {
        NetworkNamespace.isMounted(try namespacePath(project: project, name: name))
    }

    /// Whether a planned container gets a network namespace of its own from Berth (it is on a network).
    public static func makesNamespace(_ definition: ContainerDefinition) -> Bool {
        !definition.attachments.isEmpty
    }

    /// Connects a container again from its recorded memberships when its namespace is gone (after a
    /// reboot, or a crash release); nothing when it is connected or on no network.
    public func reattach(project: String, name: String) throws {
        let records = try state.attachments(project: project, container: name)
        guard !records.isEmpty else { return }
        let key = try ContainerKey(project: project, name: name)
        if NetworkNamespace.isMounted(try networks.paths.netns(key)), !(try networks.attachments(of: key)).isEmpty,
            records.allSatisfy({ $0.address != nil })
        {
            return
        }
        try? networks.detach(key)
        try connect(project: project, name: name, records: records)
    }

    private func connect(project: String, name: String, records: [AttachmentRecord], namespaceReady: () -> Void = {}) throws {
        let key = try ContainerKey(project: project, name: name)
        let netns = try NetworkNamespace.create(for: key, paths: networks.paths)
        namespaceReady()
        var requests: [AttachmentRequest] = []
        let owned = try state.networks()
        for record in records {
            guard let network = owned.first(where: { $0.project == record.networkProject && $0.name == record.network }) else {
                throw ExecutorError("network-missing", "network \(record.networkProject)_\(record.network) of \(name) is not in the state")
            }
            requests.append(
                AttachmentRequest(
                    network: try spec(network), interfaceName: record.interface, aliases: record.aliases,
                    ipv4Address: record.requestedAddress.flatMap(IPv4Address.init),
                    portMappings: record.ports.compactMap(PortMapping.init(shortForm:)).map {
                        CNIPortMapping(
                            hostPort: Int($0.hostPort), containerPort: Int($0.containerPort), protocol: $0.proto.rawValue,
                            hostIP: $0.hostIP?.description ?? "")
                    }))
        }
        let attached = try networks.attach(key, netns: netns, networks: requests)
        CrashPoint.hit("apply-after-attach")
        var addresses: [String: String?] = [:]
        for (record, attachment) in zip(records, attached) {
            addresses[record.interface] = attachment.addresses.first
        }
        try state.recordAddresses(project: project, container: name, addresses) { all in
            try rewriteHostsFiles(all, touching: records)
        }
    }

    /// Disconnects a container being removed: DEL of every network, its netns gone, its memberships forgotten
    /// and the other members' hosts files rewritten without it.
    public func remove(project: String, name: String) throws {
        let key = try ContainerKey(project: project, name: name)
        let records = try state.attachments(project: project, container: name)
        try networks.detach(key)
        guard !records.isEmpty else { return }
        try state.removeAttachments(project: project, container: name) { all in
            try rewriteHostsFiles(all, touching: records)
        }
    }

    /// Releases what crashes left of `project`'s containers: network attachments and namespaces of containers
    /// without a record, and their memberships. Other projects' containers are not touched (their applies
    /// may be attaching right now).
    public func releaseStale(project: String) throws {
        let recorded = Set(try state.containers(project: project).map(\.name))
        try networks.releaseStale { key in key.project != project || recorded.contains(key.name) }
        for record in try state.attachments() where record.project == project && !recorded.contains(record.container) {
            try state.removeAttachments(project: project, container: record.container) { all in
                try rewriteHostsFiles(all, touching: [record])
            }
        }
    }

    /// With no readable state (a damaged database): releases every network attachment and namespace of
    /// `project`'s containers from the Network module's own files, and removes the networks they were on
    /// when nothing else is attached to them. Returns the networks removed.
    public static func releaseWithoutState(root: StateRoot, project: String) throws -> [String] {
        let networks = Networks(
            paths: try NetworkPaths(root: root.path + "/network"),
            plugins: CNIPlugins(path: EnvironmentVariable.value("BERTH_CNI_PATH")), scope: root.identity)
        let mine = networks.staleContainers { $0.project != project }
        var specs: [String: NetworkSpec] = [:]
        for key in mine {
            for attachment in (try? networks.attachments(of: key)) ?? [] { specs[attachment.network.name] = attachment.network }
        }
        try networks.releaseStale { $0.project != project }
        var removed: [String] = []
        for (name, spec) in specs.sorted(by: { $0.key < $1.key }) where (try networks.attachedContainers(network: name)).isEmpty {
            try networks.removeNetwork(spec)
            removed.append(name)
        }
        return removed
    }

    /// Removes `project`'s networks that no container (of any project) is a member of any more: bridge,
    /// conflist, IPAM leases and record. Returns the names of those kept because another project uses them.
    @discardableResult
    public func removeUnusedNetworks(project: String) throws -> [String] {
        let members = try state.attachments()
        var kept: [String] = []
        for network in try state.networks(project: project) {
            let users = members.filter { $0.networkProject == project && $0.network == network.name }
            if !users.isEmpty {
                if users.contains(where: { $0.project != project }) { kept.append(network.fullName) }
                continue
            }
            try networks.removeNetwork(try spec(network))
            try state.removeNetwork(project: project, name: network.name)
        }
        return kept
    }

    /// Rewrites the hosts file of every member sharing a network with `changed` (and of the changed members
    /// themselves), from `all`, the memberships as they now are.
    private func rewriteHostsFiles(_ all: [AttachmentRecord], touching changed: [AttachmentRecord]) throws {
        let networksTouched = Set(changed.map { "\($0.networkProject)/\($0.network)" })
        let containers = Set(
            all.filter { networksTouched.contains("\($0.networkProject)/\($0.network)") }.map { "\($0.project)/\($0.container)" })
        for id in containers.sorted() {
            let parts = id.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            let path = try resolutionFiles(project: parts[0], name: parts[1]).hosts
            guard access((path as NSString).deletingLastPathComponent, F_OK) == 0 else { continue }
            try ResolutionFile.write(try Self.hostsFile(project: parts[0], name: parts[1], all: all), to: path, inside: root.path)
        }
    }

    /// The hosts file of one container: its own addresses (hostname, name, `name.project`, aliases), its extra
    /// hosts, then the other members of its networks: by name and aliases within its project, and as
    /// `name.project` for members of other projects (two projects with the same container names never
    /// resolve each other's).
    static func hostsFile(project: String, name: String, all: [AttachmentRecord]) throws -> String {
        let mine = all.filter { $0.project == project && $0.container == name }
        var own: [HostsEntry] = []
        for record in mine {
            guard let address = record.address else { continue }
            own.append(HostsEntry(address: address, names: (record.hostname.map { [$0] } ?? []) + [name, "\(name).\(project)"] + record.aliases))
        }
        let extra = (mine.first?.extraHosts ?? []).compactMap { line -> HostsEntry? in
            let parts = line.split(separator: " ").map(String.init)
            return parts.count == 2 ? HostsEntry(address: parts[1], names: [parts[0]]) : nil
        }
        let myNetworks = Set(mine.map { "\($0.networkProject)/\($0.network)" })
        var peers: [HostsEntry] = []
        for record in all where !(record.project == project && record.container == name) {
            guard let address = record.address, myNetworks.contains("\(record.networkProject)/\(record.network)") else { continue }
            let qualified = "\(record.container).\(record.project)"
            let names =
                record.project == project ? [record.container, qualified] + record.aliases + (record.hostname.map { [$0] } ?? []) : [qualified]
            peers.append(HostsEntry(address: address, names: names))
        }
        return try HostsFile.render(own: own, extraHosts: extra, peers: peers)
    }
}
