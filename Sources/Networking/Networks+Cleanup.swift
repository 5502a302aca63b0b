import BerthSystem
import Foundation

/// What apply and down call after a crash or when a project's last container goes.
extension Networks {
    /// Containers that have a cache entry or a netns file but are not live (`isLive` false): what a
    /// `kill -9` of apply, of a monitor or of a container left behind. Sorted by id.
    public func staleContainers(isLive: (ContainerKey) -> Bool) -> [ContainerKey] {
        var found = Set<ContainerKey>()
        for directory in [paths.attachmentDirectory, paths.netnsDirectory] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                if let key = ContainerKey(id: name), !isLive(key) { found.insert(key) }
            }
        }
        return found.sorted { $0.id < $1.id }
    }

    /// Detaches every stale container (see `staleContainers`) and removes its netns; returns those released.
    /// The first failure is thrown after all were tried.
    @discardableResult
    public func releaseStale(isLive: (ContainerKey) -> Bool) throws -> [ContainerKey] {
        var released: [ContainerKey] = []
        var failure: (any Error)?
        // Stand-in namespaces a crash left mounted.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: paths.standInDirectory)) ?? [] {
            do {
                try NetworkNamespace.remove(path: paths.standInDirectory + "/" + name, paths: paths)
            } catch {
                failure = failure ?? error
            }
        }
        for key in staleContainers(isLive: isLive) {
            do {
                try detach(key)
                released.append(key)
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return released
    }

    /// Removes a network when its last container has gone: its bridge (`ip link del`, the bridge plugin
    /// never deletes one), its conflist and its IPAM directory. Refused while any container is attached.
    public func removeNetwork(_ spec: NetworkSpec) throws {
        let users = try attachedContainers(network: spec.name)
        guard users.isEmpty else {
            throw NetworkError(
                "network-in-use", "network \(Names.quoted(spec.name)) is still used by \(users.map(\.id).joined(separator: ", "))")
        }
        if access("/sys/class/net/\(spec.bridgeName)/bridge", F_OK) == 0 {
            let output: Command.Output
            do {
                output = try Command(ipCommand, ["link", "del", spec.bridgeName]).run(timeout: plugins.timeout)
            } catch {
                throw NetworkError.posix(error)
            }
            if output.status != 0 && access("/sys/class/net/\(spec.bridgeName)", F_OK) == 0 {
                throw NetworkError("bridge-removal-failed", "cannot delete bridge \(spec.bridgeName): \(output.stderrText)")
            }
        }
        let conflist = try paths.conflist(spec.name)
        if unlink(conflist) != 0 && errno != ENOENT { throw NetworkError.posix("cannot remove \(conflist)", errno: errno) }
        let ipam = try paths.ipam(spec.name)
        if access(ipam, F_OK) == 0 {
            try TreeRemoval.remove(ipam, inside: paths.root)
        }
    }

    /// Containers with a cache entry on network `name`.
    public func attachedContainers(network name: String) throws -> [ContainerKey] {
        var users: [ContainerKey] = []
        for id in ((try? FileManager.default.contentsOfDirectory(atPath: paths.attachmentDirectory)) ?? []).sorted() {
            guard let key = ContainerKey(id: id) else { continue }
            if access(try paths.attachment(key, network: name), F_OK) == 0 { users.append(key) }
        }
        return users
    }
}
