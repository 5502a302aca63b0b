import Foundation
import ImageStore
import OCI
import TarArchive

extension SnapshotStore {
    /// Extracts the layers of `image` that are not committed yet and returns them. Each layer goes into
    /// `tmp/`, its uncompressed digest must equal its diff_id, and only then is it renamed into `layers/`.
    @discardableResult
    public func unpack(_ image: ResolvedImage, from store: ImageStore) throws -> [LayerUnpack] {
        try withLock {
            try clearLeftovers()
            let pending = try pendingLayers(for: image)
            for layer in pending {
                try unpackLayer(layer, image: image, store: store)
            }
            return pending
        }
    }

    /// Removes half-done extractions a crash left in `tmp/`. Call with the lock held.
    func clearLeftovers() throws {
        let tmp = directory + "/tmp"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? [] {
            try removeTree(tmp + "/" + name)
        }
    }

    func unpackLayer(_ layer: LayerUnpack, image: ResolvedImage, store: ImageStore) throws {
        let context = "image \(image.reference) layer \(layer.index) (\(layer.descriptor.digest))"
        guard let compression = layer.descriptor.mediaType.layerCompression else {
            throw SnapshotError("unsupported-layer-type",
                                "\(context): no processor for media type \(layer.descriptor.mediaType)")
        }
        let blob = store.blobPath(layer.descriptor.digest)
        guard store.hasBlob(layer.descriptor.digest) else {
            throw SnapshotError("layer-blob-missing", "\(context): blob is missing from the image store (\(blob))")
        }
        let work = "\(directory)/tmp/\(layer.chainID.encoded)-\(getpid())"
        let fs = work + "/fs"
        do {
            try FileManager.default.createDirectory(atPath: fs, withIntermediateDirectories: true)
            if snapshotter == .native, let parent = layer.parent {
                try copyTree(from: layerPath(parent), to: fs)
            }
            let mode: WhiteoutMode = snapshotter == .overlayfs && layer.parent != nil ? .overlay : .apply
            let reader = try TarReader(path: blob, compression: TarCompression(compression))
            let result = try TarExtractor.extract(reader, into: fs, whiteouts: mode)
            guard result.digest == layer.diffID.description else {
                throw SnapshotError("diffid-mismatch", "\(context): wrong diff id calculated on extraction "
                                    + "\"\(result.digest)\", expected \(layer.diffID)")
            }
            CrashPoint.hit("unpack-before-commit")
            FileSync.filesystem(containing: fs)
            let committed = "\(directory)/layers/\(layer.chainID.encoded)"
            try removeTree(committed)
            guard rename(work, committed) == 0 else {
                throw SnapshotError.posix("\(context): cannot commit snapshot \(layer.chainID)", errno: errno)
            }
            CrashPoint.hit("unpack-after-commit")
        } catch let error as SnapshotError {
            try? removeTree(work)
            throw error
        } catch {
            try? removeTree(work)
            throw SnapshotError("unpack-failed", "\(context): failed to extract layer \(layer.diffID)", underlying: error)
        }
    }

    /// Copies a tree with ownership, modes, xattrs, hard links and devices kept (`cp -a`).
    func copyTree(from source: String, to target: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/cp")
        process.arguments = ["-a", "--reflink=auto", source + "/.", target + "/"]
        let errors = Pipe()
        process.standardError = errors
        do { try process.run() } catch {
            throw SnapshotError("snapshot-copy", "cannot run cp to copy \(source)", underlying: error)
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SnapshotError("snapshot-copy", "copying \(source) to \(target) failed: "
                                + message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}

extension TarCompression {
    init(_ compression: LayerCompression) {
        switch compression {
        case .none: self = .none
        case .gzip: self = .gzip
        case .zstd: self = .zstd
        case .detect: self = .detect
        }
    }
}
