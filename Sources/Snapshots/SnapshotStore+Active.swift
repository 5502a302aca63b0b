import Foundation
import ImageStore
import OCI

extension SnapshotStore {
    /// The writable snapshot's directory for container `key`.
    public func activePath(_ key: String) -> String { "\(directory)/active/\(key)" }

    /// Whether container `key` has a writable snapshot.
    public func isPrepared(key: String) -> Bool {
        var st = stat()
        return lstat(activePath(key), &st) == 0
    }

    /// The keys of every writable snapshot, sorted.
    public func activeKeys() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/active")) ?? []).sorted()
    }

    /// Whether container `key`'s writable snapshot is whole: its directory with the parts the
    /// snapshotter mounts (overlayfs: `upper` and `work`; native: `fs`), each a real directory.
    public func condition(key: String) -> WritableSnapshotCondition {
        guard isPrepared(key: key) else { return .missing }
        let parts = snapshotter == .overlayfs ? ["upper", "work"] : ["fs"]
        for part in parts {
            var st = stat()
            guard lstat(activePath(key) + "/" + part, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else {
                return .damaged("its \(part) directory is missing")
            }
        }
        return .present
    }

    /// Creates the writable snapshot for container `key` on top of `image` (which must be unpacked)
    /// and mounts it at `target`: overlay of the layers (newest first) with `active/<key>/{upper,work}`,
    /// or for native a copy of the top snapshot bind-mounted. Throws `snapshot-exists` if `key` has one.
    public func prepare(key: String, image: ResolvedImage, rootfs target: String) throws {
        try Self.checkKey(key)
        try withLock {
            let layers = try committedLayers(of: image)
            let active = activePath(key)
            guard !isPrepared(key: key) else {
                throw SnapshotError("snapshot-exists", "snapshot \"\(key)\": already exists (\(active))")
            }
            do {
                try makeDirectory(target)
                switch snapshotter {
                case .overlayfs:
                    for sub in ["upper", "work"] { try makeDirectory(active + "/" + sub) }
                case .native:
                    try makeDirectory(active + "/fs")
                    if let top = layers.last { try copyTree(from: layerPath(top.chainID), to: active + "/fs") }
                }
                try mountActive(active: active, layers: layers, target: target)
            } catch {
                try? removeTree(active)
                throw error
            }
        }
    }

    /// Mounts the existing writable snapshot of `key` at `target` again (after `release` without
    /// `removeData`, or a reboot); its earlier writes are kept.
    public func mount(key: String, image: ResolvedImage, rootfs target: String) throws {
        try Self.checkKey(key)
        try withLock {
            let layers = try committedLayers(of: image)
            guard isPrepared(key: key) else {
                throw SnapshotError("snapshot-not-found", "snapshot \"\(key)\" does not exist; prepare it first")
            }
            try makeDirectory(target)
            try mountActive(active: activePath(key), layers: layers, target: target)
        }
    }

    func committedLayers(of image: ResolvedImage) throws -> [LayerUnpack] {
        let layers = try layers(of: image)
        if let missing = layers.first(where: { !isCommitted($0.chainID) }) {
            throw SnapshotError(
                "image-not-unpacked",
                "image \(image.reference) layer \(missing.index) "
                    + "(\(missing.diffID)) is not unpacked; unpack the image first")
        }
        return layers
    }

    func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw SnapshotError("snapshot-io", "cannot create \(path)", underlying: error)
        }
    }

    /// overlayfs: `lowerdir` = the layers newest first (an empty dir for an image without layers);
    /// native: a bind mount of `active/fs`.
    func mountActive(active: String, layers: [LayerUnpack], target: String) throws {
        guard snapshotter == .overlayfs else {
            try Mounts.mount(source: active + "/fs", target: target, type: "none", flags: Mounts.bind, options: nil)
            return
        }
        var lowers = layers.reversed().map { layerPath($0.chainID) }
        if lowers.isEmpty {
            try makeDirectory(active + "/empty")
            lowers = [active + "/empty"]
        }
        let options = "lowerdir=\(lowers.joined(separator: ":")),upperdir=\(active)/upper,workdir=\(active)/work"
        try Mounts.mount(source: "overlay", target: target, type: "overlay", flags: 0, options: options)
    }

    /// Unmounts `target` (if mounted) and, when `removeData`, deletes container `key`'s writable snapshot.
    public func release(key: String, rootfs target: String, removeData: Bool) throws {
        try Self.checkKey(key)
        try Mounts.unmount(target)
        guard removeData else { return }
        try withLock { try removeTree(activePath(key)) }
    }

    static func checkKey(_ key: String) throws {
        // Bytes, not graphemes: a combining mark must not hide a `/` or make `..` look like something else.
        let bytes = Array(key.utf8)
        guard !bytes.isEmpty, bytes != Array(".".utf8), bytes != Array("..".utf8),
            !bytes.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ",") || $0 == 0 })
        else {
            throw SnapshotError(
                "invalid-snapshot-key", "invalid snapshot key \"\(key)\": must be a plain name",
                category: .usage)
        }
    }
}

/// The state of a container's writable snapshot on disk.
public enum WritableSnapshotCondition: Hashable, Sendable {
    case present
    case missing
    /// Present but not mountable; the text says what is wrong.
    case damaged(String)
}
