import BerthSystem
import Foundation
import Manifest
import OCI
import Planner
import State
import Supervision
#if canImport(Glibc)
import Glibc
#endif

/// Named volumes on disk: each a directory under the state root (`volumes/<full name>/_data`, or the host
/// directory of a bind-form volume), recorded in the state, made before the containers that mount them,
/// filled from the image while empty, and removed only by `down --volumes`, `volume rm` and `volume prune`.
public struct ContainerVolumes: Sendable {
    public var root: StateRoot
    public var state: StateStore

    public init(root: StateRoot, state: StateStore) {
        self.root = root
        self.state = state
    }

    /// Makes and records the plan's own volumes; checks that the external ones exist. Returns each volume's
    /// data directory by its manifest name.
    @discardableResult
    public func prepare(_ plan: Plan) throws -> [String: String] {
        var paths: [String: String] = [:]
        for volume in plan.volumes {
            if volume.action == .external {
                guard let record = try state.volume(named: volume.fullName) else {
                    throw ExecutorError(
                        "volume-missing", "external volume \(volume.fullName) does not exist; apply the project that declares it first")
                }
                paths[volume.name] = try dataPath(record)
                continue
            }
            let directory = try root.volumeDirectory(volume.fullName)
            if let device = volume.device {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: device, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw ExecutorError("volume-device-missing", "volume \(volume.name): its device \(device) is not a directory on this host")
                }
                try DirectoryMaker.create(directory, mode: 0o700)
            } else {
                try DirectoryMaker.create(try root.guarded(directory + "/_data", "create"), mode: 0o755)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let labels = String(decoding: try encoder.encode(volume.labels), as: UTF8.self)
            try state.recordVolume(
                VolumeRecord(name: volume.fullName, project: plan.project, labels: labels, device: volume.device, createdAt: Timestamp.now()))
            paths[volume.name] = try dataPath(name: volume.fullName, device: volume.device)
        }
        return paths
    }

    /// The data directory of a recorded volume.
    public func dataPath(_ record: VolumeRecord) throws -> String {
        try dataPath(name: record.name, device: record.device)
    }

    /// The data directory of a planned volume (an external one as its record says), made or not.
    public func dataPath(_ volume: PlannedVolume) throws -> String {
        if volume.action == .external, let record = try state.volume(named: volume.fullName) { return try dataPath(record) }
        return try dataPath(name: volume.fullName, device: volume.device)
    }

    /// The one rule: a bind-form volume's host directory, else `_data` in the volume's directory.
    private func dataPath(name: String, device: String?) throws -> String {
        try device ?? root.volumeDirectory(name) + "/_data"
    }

    /// Before the container's first start: each volume mounted at its root that is still empty gets the
    /// image's content at the mount's destination (owners, modes, links kept: `cp -a`), as docker does;
    /// each `subpath` is made inside its volume. Paths through symbolic links are never followed: a link
    /// in the image's path is not copied from, and a link in a subpath is refused.
    func populate(_ definition: ContainerDefinition, volumes: [PlannedVolume], paths: [String: String], rootfs: String) throws {
        for mount in definition.mounts where mount.type == MountDefinition.volumeType {
            guard let name = mount.source, let data = paths[name], let volume = volumes.first(where: { $0.name == name }) else { continue }
            if let subpath = mount.subpath {
                try makeSubpath(subpath, in: data, volume: name)
                continue
            }
            // Beside the data under the state root (a bind-form volume's data is the user's host directory).
            let lock = try FileLock(path: try root.volumeDirectory(volume.fullName) + "/fill.lock")
            defer { lock.unlock() }
            guard Self.isEmptyDirectory(data), let source = Self.plainDirectory(mount.destination, in: rootfs),
                !Self.isEmptyDirectory(source)
            else { continue }
            let copy = try Command("/bin/cp", ["-a", "--", source + "/.", data + "/"]).run()
            guard copy.status == 0 else {
                throw ExecutorError(
                    "volume-fill-failed", "cannot fill volume \(name) from the image's \(mount.destination): \(copy.stderrText)")
            }
            // The volume's root takes the owner and mode of the image's directory, as docker's copy does.
            var info = stat()
            if lstat(source, &info) == 0 {
                _ = chown(data, info.st_uid, info.st_gid)
                _ = chmod(data, info.st_mode & 0o7777)
            }
        }
    }

    /// `subpath` made inside `data`, refusing a symbolic link on the way (a container could point one outside).
    private func makeSubpath(_ subpath: String, in data: String, volume: String) throws {
        var path = data
        for component in subpath.split(separator: "/") {
            path += "/" + component
            var info = stat()
            if lstat(path, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw ExecutorError("volume-subpath", "subpath \(subpath) of volume \(volume) passes through \(path), which is not a directory")
                }
            } else if mkdir(path, 0o755) != 0, errno != EEXIST {
                throw ExecutorError("volume-subpath", "cannot make subpath \(subpath) in volume \(volume): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// `path` inside `rootfs` when every component is a real directory (no symbolic link); nil otherwise.
    static func plainDirectory(_ path: String, in rootfs: String) -> String? {
        var current = rootfs
        for component in path.split(separator: "/") where component != "." {
            guard component != ".." else { return nil }
            current += "/" + component
            var info = stat()
            guard lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return nil }
        }
        return current
    }

    static func isEmptyDirectory(_ path: String) -> Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? ["?"]).isEmpty
    }

    /// Removes a volume's directory and record (a bind-form volume's host directory is left alone).
    public func remove(_ record: VolumeRecord) throws {
        try TreeRemoval.remove(try root.volumeDirectory(record.name), inside: root.path)
        try state.removeVolume(named: record.name)
    }

    /// `berth volume rm`: removes the named volumes (full names), all or none: each must exist and no
    /// container may mount it. Each is checked and removed under its project's lock, so an apply of that
    /// project cannot start using it in between. Returns the removed records in the order given.
    public func remove(named names: [String]) throws -> [VolumeRecord] {
        var records: [VolumeRecord] = []
        for name in names {
            guard let record = try state.volume(named: name) else {
                throw ExecutorError("no-volume", "no volume \(name); `berth volume ls` lists them")
            }
            let users = try users(of: name)
            guard users.isEmpty else {
                throw ExecutorError(
                    "volume-in-use",
                    "volume \(name) is in use by \(users.joined(separator: ", ")); remove those containers first (`berth rm` or `berth down`)")
            }
            records.append(record)
        }
        for record in records {
            try ProjectLock.holding(root: root, project: record.project) {
                guard try users(of: record.name).isEmpty else {
                    throw ExecutorError("volume-in-use", "volume \(record.name) came into use while it was being removed; nothing more was removed")
                }
                try remove(record)
            }
        }
        return records
    }

    /// `berth down --volumes`, with the project's lock held by the caller: removes `project`'s own volumes
    /// that no container mounts; returns those removed and those kept with the containers that use them.
    public func removeUnused(project: String) throws -> (removed: [VolumeRecord], kept: [(volume: VolumeRecord, usedBy: [String])]) {
        var removed: [VolumeRecord] = []
        var kept: [(volume: VolumeRecord, usedBy: [String])] = []
        for record in try state.volumes() where record.project == project {
            let users = try users(of: record.name)
            if users.isEmpty {
                try remove(record)
                removed.append(record)
            } else {
                kept.append((record, users))
            }
        }
        return (removed, kept)
    }

    /// `berth volume prune`: removes every volume (of `project`, or of every project) that no container
    /// mounts, each under its project's lock. Returns what it removed.
    public func prune(project: String?) throws -> [VolumeRecord] {
        var removed: [VolumeRecord] = []
        for record in try state.volumes() where project == nil || record.project == project {
            let gone = try ProjectLock.holding(root: root, project: record.project) { () throws -> Bool in
                guard try users(of: record.name).isEmpty else { return false }
                try remove(record)
                return true
            }
            if gone { removed.append(record) }
        }
        return removed
    }

    /// The containers (`project/name`) that mount `volume` (a full name).
    public func users(of volume: String) throws -> [String] {
        try state.allContainers().filter { $0.volumeNames.contains(volume) }.map { "\($0.project)/\($0.name)" }.sorted()
    }
}
