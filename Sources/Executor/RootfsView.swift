import Foundation
import ImageStore
import Snapshots
#if canImport(Glibc)
import Glibc
#endif

/// A read-only view of an unpacked image's files, for reading `/etc/passwd` and `/etc/group` without
/// creating a container (`berth spec`). One layer (or the native snapshotter) is read in place; several
/// overlay layers are mounted read-only in a temporary directory until `close()`.
public final class RootfsView {
    public let path: String
    private var mountPoint: String?

    /// Nil when the image is not unpacked: user names cannot be resolved then.
    public init?(image: ResolvedImage, snapshots: SnapshotStore) throws {
        let layers = try snapshots.layers(of: image)
        guard let top = layers.last, try snapshots.pendingLayers(for: image).isEmpty else { return nil }
        if snapshots.snapshotter == .native || layers.count == 1 {
            path = snapshots.layerPath(top.chainID)
            return
        }
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("berth-view-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        let lowers = layers.reversed().map { snapshots.layerPath($0.chainID) }.joined(separator: ":")
        guard mount("overlay", target, "overlay", UInt(MS_RDONLY), "lowerdir=\(lowers)") == 0 else {
            let message = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: target)
            throw ExecutorError("view-mount-failed", "cannot mount a read-only view of \(image.reference): \(message)")
        }
        path = target
        mountPoint = target
    }

    public func close() {
        guard let target = mountPoint else { return }
        umount2(target, Int32(MNT_DETACH))
        rmdir(target)
        mountPoint = nil
    }

    deinit { close() }
}
