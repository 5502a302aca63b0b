import BerthSystem
import Foundation
import OCI
import Synchronization

/// Attaches containers to Berth networks and releases them, through the CNI plugins, keeping what DEL
/// needs on disk (`NetworkPaths`). Every call blocks its thread while plugins run: call it from a worker
/// thread (`WorkerThreads`), not from Swift's cooperative pool. Calls for different containers may run at
/// the same time; calls for one container must not overlap (the caller holds the project's lock).
public struct Networks: Sendable {
    public let paths: NetworkPaths
    public let plugins: CNIPlugins
    /// iproute2's `ip`: deletes a network's bridge, and sets up a stand-in interface (see `detach`).
    public let ipCommand: String
    /// util-linux's `nsenter`, to run `ip` inside a stand-in namespace.
    public let nsenterCommand: String
    /// Makes CNI container ids unique to one state root (`<scope>-<project>.<name>`): the plugins name their
    /// iptables chains after the container id and network, so two roots with the same project and container
    /// names would otherwise share — and tear down — each other's chains.
    public let scope: String

    public init(
        paths: NetworkPaths, plugins: CNIPlugins = CNIPlugins(), ipCommand: String = "/usr/sbin/ip", nsenterCommand: String = "/usr/bin/nsenter",
        scope: String = ""
    ) {
        self.scope = scope
        self.paths = paths
        self.plugins = plugins
        self.ipCommand = ipCommand
        self.nsenterCommand = nsenterCommand
    }

    /// Writes the conflist of `spec` under `paths.conflistDirectory` (sorted keys, atomically) unless the
    /// same bytes are already there; returns its path. The file is for people and tools (cnitool): attach
    /// and detach run the configuration they cache.
    @discardableResult
    public func writeConfigList(_ spec: NetworkSpec) throws -> String {
        let path = try paths.conflist(spec.name)
        let data = spec.configList(ipamDataDirectory: paths.ipamDirectory).json
        if FileManager.default.contents(atPath: path) == data { return path }
        try paths.makeDirectory(paths.conflistDirectory)
        do {
            try AtomicFile.write(data, to: path, mode: 0o600)
        } catch {
            throw NetworkError.posix(error)
        }
        return path
    }

    /// Runs the ADD chain of every network in `networks` for `container`, whose namespace is `netns` (from
    /// `NetworkNamespace.create`), the networks at the same time; returns their attachments in the order
    /// given. All or nothing: when one network fails, those that succeeded are detached again and the
    /// first error is thrown. A network the container is already attached to (cached) is refused.
    public func attach(_ container: ContainerKey, netns: String, networks: [AttachmentRequest]) throws -> [Attachment] {
        try paths.checked(netns, operation: "use")
        var seen = Set<String>()
        for request in networks {
            try validate(request)
            guard seen.insert(request.network.name).inserted, seen.insert("if:" + request.interfaceName).inserted else {
                throw NetworkError.invalidValue("network list", request.network.name, "a network or interface name appears twice")
            }
            // A second ADD would fail on the existing interface, and its rollback DEL would tear down the first.
            if access(try paths.attachment(container, network: request.network.name), F_OK) == 0 {
                throw NetworkError(
                    "already-attached", "\(container) is already attached to network \(request.network.name); detach it first")
            }
            try writeConfigList(request.network)
        }
        try paths.makeDirectory(paths.attachments(container))
        let outcomes = Mutex([Int: Result<Attachment, any Error>]())
        WorkerThreads.forEach(networks.count, limit: networks.count) { index in
            let outcome = Result { try attachOne(container, netns: netns, networks[index]) }
            outcomes.withLock { $0[index] = outcome }
        }
        let results = outcomes.withLock { $0 }
        var attached: [Attachment] = []
        var failure: (any Error)?
        for index in networks.indices {
            switch results[index] {
            case .success(let attachment)?: attached.append(attachment)
            case .failure(let error)?: failure = failure ?? error
            case nil: break
            }
        }
        if let failure {
            for attachment in attached { try? detach(attachment) }
            throw failure
        }
        return attached
    }

    /// One network's ADD: the cache entry first (no result), then the chain, the entry rewritten with each
    /// plugin's result as it comes. A failed chain is undone with DEL and its entry removed.
    private func attachOne(_ container: ContainerKey, netns: String, _ request: AttachmentRequest) throws -> Attachment {
        let list = request.network.configList(ipamDataDirectory: paths.ipamDirectory)
        var capabilityArgs: [String: JSONValue] = [:]
        if !request.portMappings.isEmpty { capabilityArgs["portMappings"] = try JSONValue(encoding: request.portMappings) }
        if let address = request.ipv4Address {
            capabilityArgs["ips"] = [.string("\(address)/\(request.network.subnet.prefixLength)")]
        }
        var attachment = Attachment(
            container: container, network: request.network, aliases: request.aliases, portMappings: request.portMappings,
            configList: try JSONDecoder().decode(JSONValue.self, from: list.json),
            runtime: CNIRuntimeConfig(
                containerID: scope.isEmpty ? container.id : "\(scope)-\(container.id)", netns: netns, ifname: request.interfaceName,
                capabilityArgs: capabilityArgs),
            result: nil)
        try repairBridgeAddress(request.network)
        let cache = try paths.attachment(container, network: request.network.name)
        try save(attachment, to: cache)
        do {
            _ = try plugins.add(list, attachment.runtime) { result in
                // A plugin that passes its prevResult on as it came (portmap, firewall) leaves the entry as it is:
                // each write is a new file, and inodes are what a start of many containers allocates most.
                guard result != attachment.result else { return }
                attachment.result = result
                try save(attachment, to: cache)
            }
        } catch {
            try? plugins.delete(list, attachment.runtime, cachedResult: attachment.result)
            unlink(cache)
            throw error
        }
        return attachment
    }

    /// Gives the network's bridge a fixed MAC address when it has none (all zeros), which happens when the
    /// first ADD on a new bridge failed after its veth was attached (an IPAM error, a full disk): the bridge
    /// took the veth's address, the rollback removed the veth, and the kernel left zeros. The bridge plugin
    /// (1.1) then fails every later ADD with "could not set bridge's mac: invalid argument" until the bridge
    /// is deleted. The address is locally administered and derived from the bridge name, so it is the same
    /// on every repair; setting it while another ADD runs on the bridge is harmless.
    func repairBridgeAddress(_ network: NetworkSpec) throws {
        let current = (try? String(contentsOfFile: "/sys/class/net/\(network.bridgeName)/address", encoding: .utf8)) ?? ""
        guard current.trimmingCharacters(in: .whitespacesAndNewlines) == "00:00:00:00:00:00" else { return }
        let address = Self.bridgeMACAddress(network.bridgeName)
        let output: Command.Output
        do {
            output = try Command(ipCommand, ["link", "set", "dev", network.bridgeName, "address", address]).run(timeout: plugins.timeout)
        } catch {
            throw NetworkError.posix(error)
        }
        guard output.status == 0 else {
            throw NetworkError(
                "bridge-repair-failed", "bridge \(network.bridgeName) has no MAC address and cannot be given one: \(output.stderrText)")
        }
    }

    /// `02:` (locally administered, unicast) and five bytes of a SHA-256 of the bridge name.
    static func bridgeMACAddress(_ bridgeName: String) -> String {
        let digits = Array(SHA256Hex.of(Data(bridgeName.utf8)).utf8)
        return (["02"] + stride(from: 0, to: 10, by: 2).map { String(decoding: digits[$0..<$0 + 2], as: UTF8.self) }).joined(separator: ":")
    }

    /// The cached attachments of `container`, by network name.
    public func attachments(of container: ContainerKey) throws -> [Attachment] {
        let directory = try paths.attachments(container)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return try names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().map { name in
            let path = try paths.checked(directory + "/" + name, operation: "read")
            guard let data = FileManager.default.contents(atPath: path) else {
                throw NetworkError.posix("cannot read \(path)", errno: errno)
            }
            do {
                return try JSONDecoder().decode(Attachment.self, from: data)
            } catch {
                throw NetworkError("bad-attachment-cache", "cannot read the cached attachment \(path)", underlying: error)
            }
        }
    }

    /// Runs the DEL chain of every network `container` is cached on, with the cached configuration and
    /// result, then removes the cache entries and, when `removeNamespace`, the netns file. Missing pieces
    /// are fine: no cache (nothing to do), a netns already gone (DEL still runs with an empty `CNI_NETNS`,
    /// so the IPAM lease and the per-address rules go). The first failure is thrown after everything was tried;
    /// a failed network keeps its cache entry for the next try.
    public func detach(_ container: ContainerKey, removeNamespace: Bool = true) throws {
        let attachments = try attachments(of: container)
        let failures = Mutex([any Error]())
        WorkerThreads.forEach(attachments.count, limit: attachments.count) { index in
            do {
                try detach(attachments[index])
            } catch {
                failures.withLock { $0.append(error) }
            }
        }
        if let failure = failures.withLock({ $0.first }) { throw failure }
        // Every entry was released: what is left is a temporary file of a write a crash interrupted.
        let directory = try paths.attachments(container)
        if access(directory, F_OK) == 0 { try TreeRemoval.remove(directory, inside: paths.root) }
        if removeNamespace { try NetworkNamespace.remove(for: container, paths: paths) }
    }

    /// DEL of one cached attachment, then its cache entry removed.
    ///
    /// When the container's netns is gone, the bridge plugin (1.1) cannot learn the address whose
    /// masquerade rule it must delete (it reads it from the interface, not from `prevResult`), and would
    /// leave that rule behind. DEL then runs in a stand-in namespace holding an interface of the same
    /// name with the cached addresses, so the plugin finds what it needs and removes its own rules; without
    /// cached addresses DEL runs with an empty `CNI_NETNS`.
    public func detach(_ attachment: Attachment) throws {
        let list = try CNIConfigList(json: attachment.configList.encoded())
        var runtime = attachment.runtime
        var standIn: String?
        defer { if let standIn { try? NetworkNamespace.remove(path: standIn, paths: paths) } }
        if !NetworkNamespace.isMounted(runtime.netns) {
            runtime.netns = ""
            let addresses = attachment.parsedResult?.ips.map(\.address) ?? []
            if !addresses.isEmpty {
                standIn = try paths.standIn(attachment.container, network: attachment.network.name)
                runtime.netns = try makeStandIn(standIn!, interface: runtime.ifname, addresses: addresses)
            }
        }
        try plugins.delete(list, runtime, cachedResult: attachment.result)
        let cache = try paths.attachment(attachment.container, network: attachment.network.name)
        guard unlink(cache) == 0 || errno == ENOENT else { throw NetworkError.posix("cannot remove \(cache)", errno: errno) }
    }

    /// A namespace at `path` with an interface `interface` (one end of a veth pair) carrying `addresses` (`10.89.0.5/24`).
    private func makeStandIn(_ path: String, interface: String, addresses: [String]) throws -> String {
        try NetworkNamespace.create(at: path, paths: paths)
        let peer = interface == "berth-si0" ? "berth-si1" : "berth-si0"
        let script = "link add \(interface) type veth peer name \(peer)\n" + addresses.map { "addr add \($0) dev \(interface)\n" }.joined()
        let output: Command.Output
        do {
            output = try Command(nsenterCommand, ["--net=" + path, ipCommand, "-batch", "-"], input: Data(script.utf8)).run(timeout: plugins.timeout)
        } catch {
            throw NetworkError.posix(error)
        }
        guard output.status == 0 else {
            throw NetworkError("stand-in-failed", "cannot prepare a stand-in namespace at \(path): \(output.stderrText)")
        }
        return path
    }

    /// CHECK of every network `container` is cached on, with the cached result: throws the first plugin
    /// that finds its part missing or changed (an interface, an address, a rule).
    public func check(_ container: ContainerKey) throws {
        for attachment in try attachments(of: container) {
            guard let result = attachment.result else {
                throw NetworkError("attachment-incomplete", "\(container) has no ADD result on network \(attachment.network.name)")
            }
            try plugins.check(CNIConfigList(json: attachment.configList.encoded()), attachment.runtime, cachedResult: result)
        }
    }

    private func validate(_ request: AttachmentRequest) throws {
        try NetworkSpec.validateInterfaceName(request.interfaceName, what: "interface name")
        for alias in request.aliases where !HostsFile.isValidHostName(alias) {
            throw NetworkError.invalidValue("alias", alias, "a host name is letters, digits, `-` and `.`, at most 253 characters")
        }
        for port in request.portMappings {
            guard (1...65_535).contains(port.hostPort), (1...65_535).contains(port.containerPort) else {
                throw NetworkError.invalidValue("port mapping", "\(port.hostPort):\(port.containerPort)", "ports are 1 to 65535")
            }
            guard ["tcp", "udp", "sctp"].contains(port.protocol) else {
                throw NetworkError.invalidValue("port protocol", port.protocol, "expected tcp, udp or sctp")
            }
            guard port.hostIP.isEmpty || HostsFile.isValidAddress(port.hostIP) else {
                throw NetworkError.invalidValue("host address", port.hostIP, "expected an IPv4 or IPv6 address, or none for all")
            }
        }
        if request.network.internal && !request.portMappings.isEmpty {
            throw NetworkError.invalidValue("network", request.network.name, "ports cannot be published on an internal network")
        }
        if let address = request.ipv4Address {
            guard request.network.subnet.containsHost(address), address != request.network.effectiveGateway else {
                throw NetworkError.invalidValue(
                    "address", address.description, "it must be a host address of \(request.network.subnet) other than the gateway")
            }
        }
    }

    /// Atomic without fsync: a crash of Berth leaves the old entry or the new one; after a power loss no
    /// container runs and no iptables rule is left, and the entry (if lost) only held an IPAM lease that
    /// host-local's own files show.
    private func save(_ attachment: Attachment, to path: String) throws {
        do {
            try AtomicFile.write(JSONValue(encoding: attachment).encoded(pretty: true), to: path, mode: 0o600, durability: .crashSafe)
        } catch let error as SystemCallError {
            throw NetworkError.posix(error)
        }
    }
}
