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

    /// Creates the writable snapshot for container `key` on top of `image` (which must be unpacked)
    /// and mounts it at `target`: overlay of the layers (newest first) with `active/<key>/{upper,work}`,
    /// or for native a copy of the top snapshot bind-mounted.
    public func prepare(key: String, image: ResolvedImage, rootfs target: String) throws {
        try Self.checkKey(key)
        try withLock {
            let layers = try layers(of: image)
            if let missing = layers.first(where: { !isCommitted($0.chainID) }) {
                throw SnapshotError("image-not-unpacked", "image \(image.reference) layer \(missing.index) "
                                    + "(\(missing.diffID)) is not unpacked; unpack the image first")
            }
            let active = activePath(key)
            guard !isPrepared(key: key) else {
                throw SnapshotError("snapshot-exists", "snapshot \"\(key)\": already exists (\(active))")
            }
            do {
                try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
                switch snapshotter {
                case .overlayfs:
                    try prepareOverlay(active: active, layers: layers.map { layerPath($0.chainID) }, target: target)
                case .native:
                    try FileManager.default.createDirectory(atPath: active + "/fs", withIntermediateDirectories: true)
                    if let top = layers.last { try copyTree(from: layerPath(top.chainID), to: active + "/fs") }
                    try Mounts.mount(source: active + "/fs", target: target, type: "none", flags: Mounts.bind, options: nil)
                }
            } catch {
                try? removeTree(active)
                throw error
            }
        }
    }

    func prepareOverlay(active: String, layers: [String], target: String) throws {
        for sub in ["upper", "work"] {
            try FileManager.default.createDirectory(atPath: active + "/" + sub, withIntermediateDirectories: true)
        }
        var lowers = Array(layers.reversed())
        if lowers.isEmpty {
            try FileManager.default.createDirectory(atPath: active + "/empty", withIntermediateDirectories: true)
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
        guard !key.isEmpty, key != ".", key != "..", !key.contains("/"), !key.contains(":"), !key.contains(",") else {
            throw SnapshotError("invalid-snapshot-key", "invalid snapshot key \"\(key)\": must be a plain name",
                                category: .usage)
        }
    }
}
