import BerthSystem
import Foundation
import ImageStore
import OCI

/// One layer that still has to be extracted, with its place in the chain.
public struct LayerUnpack: Hashable, Sendable {
    public var index: Int
    /// The (compressed) layer blob from the manifest.
    public var descriptor: Descriptor
    public var diffID: Digest
    public var chainID: Digest
    /// Chain ID of the layers below; nil for the base layer.
    public var parent: Digest?
}

/// Committed layer snapshots keyed by chain ID, plus per-container writable snapshots, under
/// `<root>/<snapshotter>/`: `layers/<chain hex>/fs`, `active/<key>/`, `tmp/` (in-progress extractions).
public final class SnapshotStore: Sendable {
    /// `<stateRoot>/snapshots/<snapshotter>`, resolved to a real path.
    public let directory: String
    public let snapshotter: SnapshotterKind

    /// Opens the snapshotter's directory under `root` (= `<stateRoot>/snapshots`). Creates nothing:
    /// directories appear on the first unpack or prepare, so planning never changes the disk.
    public init(root: String, snapshotter: SnapshotterKind) throws {
        let base = PathGuard.clean(root + "/" + snapshotter.rawValue)
        if let real = realpath(base, nil) {
            directory = String(cString: real)
            free(real)
        } else {
            directory = base
        }
        guard !directory.contains(":"), !directory.contains(",") else {
            throw SnapshotError(
                "snapshot-bad-root", "snapshot directory \(directory) must not contain ':' or ','",
                category: .usage)
        }
        self.snapshotter = snapshotter
    }

    func createDirectories() throws {
        for sub in ["layers", "active", "tmp"] {
            do {
                try FileManager.default.createDirectory(atPath: directory + "/" + sub, withIntermediateDirectories: true)
            } catch {
                throw SnapshotError("snapshot-io", "cannot create \(directory)/\(sub)", underlying: error)
            }
        }
    }

    /// The directory holding the contents of the committed snapshot `chainID`.
    public func layerPath(_ chainID: Digest) -> String {
        "\(directory)/layers/\(chainID.encoded)/fs"
    }

    /// Whether the committed snapshot for `chainID` is on disk.
    public func isCommitted(_ chainID: Digest) -> Bool {
        var st = stat()
        return stat(layerPath(chainID), &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }

    /// Every layer of `image` with its chain ID and parent; throws when manifest and config disagree.
    public func layers(of image: ResolvedImage) throws -> [LayerUnpack] {
        let layers = image.manifest.layers
        let diffIDs = image.diffIDs
        guard layers.count == diffIDs.count else {
            throw SnapshotError(
                "layer-count-mismatch",
                "image \(image.reference) (\(image.digest)) has \(layers.count) "
                    + "layers in its manifest but \(diffIDs.count) diff_ids in its config")
        }
        let chain = ChainID.chain(diffIDs)
        return layers.indices.map { i in
            LayerUnpack(
                index: i, descriptor: layers[i], diffID: diffIDs[i], chainID: chain[i],
                parent: i == 0 ? nil : chain[i - 1])
        }
    }

    /// Layers that are not committed on disk (stat calls only). For the native snapshotter, only
    /// layers above the topmost committed snapshot are needed.
    public func pendingLayers(for image: ResolvedImage) throws -> [LayerUnpack] {
        let all = try layers(of: image)
        switch snapshotter {
        case .overlayfs:
            return all.filter { !isCommitted($0.chainID) }
        case .native:
            guard let top = all.lastIndex(where: { isCommitted($0.chainID) }) else { return all }
            return Array(all[(top + 1)...])
        }
    }

    func withLock<T>(_ body: () throws -> T) throws -> T {
        try createDirectories()
        let lock: FileLock
        do { lock = try FileLock(path: directory + "/lock") } catch { throw SnapshotError.posix(error.what, errno: error.errno) }
        defer { lock.unlock() }
        return try body()
    }

    func removeTree(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw SnapshotError("snapshot-io", "cannot remove \(path)", underlying: error)
        }
    }
}
