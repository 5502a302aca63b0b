import BerthSystem
import CLinuxShims
import Foundation

/// Network namespaces pinned by a bind mount on a file (as `ip netns add` and podman make them), under
/// `NetworkPaths.netnsDirectory`. The path is what runc gets in `linux.namespaces` and plugins in `CNI_NETNS`.
public enum NetworkNamespace {
    /// Creates the namespace of `container` with its loopback up, or returns the existing one: idempotent,
    /// and a file left unmounted by a crash is mounted again. Neither the calling thread nor the process
    /// enters the new namespace (a short-lived C thread does, see `berth_netns_create`).
    @discardableResult
    public static func create(for container: ContainerKey, paths: NetworkPaths) throws -> String {
        try create(at: paths.netns(container), paths: paths)
    }

    /// As `create(for:paths:)`, at a path built by the caller from validated names.
    @discardableResult
    static func create(at path: String, paths: NetworkPaths) throws -> String {
        try paths.checked(path, operation: "create")
        try paths.makeDirectory((path as NSString).deletingLastPathComponent)
        if isMounted(path) { return path }
        let fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o444)
        guard fd >= 0 else { throw NetworkError.posix("cannot create \(path)", errno: errno) }
        close(fd)
        let status = berth_netns_create(path)
        guard status == 0 else {
            unlink(path)
            throw NetworkError.posix("cannot create a network namespace at \(path)", errno: status)
        }
        return path
    }

    /// Removes the namespace file of `container`: unmounts it (lazily, so a process still inside keeps its
    /// namespace until it leaves) and unlinks it. Missing pieces are fine.
    public static func remove(for container: ContainerKey, paths: NetworkPaths) throws {
        try remove(path: paths.netns(container), paths: paths)
    }

    /// As `remove(for:paths:)`, for a file found by a scan of the netns directory.
    static func remove(path: String, paths: NetworkPaths) throws {
        try paths.checked(path, operation: "remove")
        while isMounted(path) {
            guard umount2(path, Int32(MNT_DETACH)) == 0 else {
                throw NetworkError.posix("cannot unmount \(path)", errno: errno)
            }
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw NetworkError.posix("cannot remove \(path)", errno: errno)
        }
    }

    /// Whether `path` is a mounted namespace (not just the empty file under it).
    public static func isMounted(_ path: String) -> Bool {
        berth_is_nsfs(path) == 1
    }
}
