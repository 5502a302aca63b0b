import BerthSystem
import Foundation
import ImageStore
import OCI
import Synchronization
import TarArchive

extension SnapshotStore {
    /// Extracts the layers of `image` that are not committed yet and returns them. Each layer goes into
    /// `tmp/`, its uncompressed digest must equal its diff_id, and only then is it renamed into `layers/`
    /// (in layer order). On overlayfs the layers are independent and are extracted in parallel.
    /// Concurrent callers (threads or processes) wait on one lock and then find the work done.
    /// `progress`, when given, is told about each layer as it is read.
    @discardableResult
    public func unpack(
        _ image: ResolvedImage, from store: ImageStore,
        progress: UnpackProgress? = nil
    ) throws -> [LayerUnpack] {
        try withLock {
            try clearLeftovers()
            let pending = try pendingLayers(for: image)
            switch snapshotter {
            case .overlayfs:
                try unpackOverlay(pending, all: try layers(of: image), image: image, store: store, progress: progress)
            case .native:
                for layer in pending {
                    let extracted = try extractLayer(layer, image: image, store: store, progress: progress)
                    try commitLayer(layer, work: extracted.work, image: image)
                }
            }
            return pending
        }
    }

    /// Extracts all pending layers at once (they are independent on overlayfs), gives directories a layer
    /// only implied the attributes they have in the layers below, then commits the good ones in order
    /// and reports the first failure.
    func unpackOverlay(
        _ pending: [LayerUnpack], all: [LayerUnpack], image: ResolvedImage, store: ImageStore,
        progress: UnpackProgress?
    ) throws {
        let results = ResultSlots(count: pending.count)
        // As many layers at once as there are cores: decompressing keeps one busy.
        WorkerThreads.forEach(pending.count, limit: EnvironmentVariable.processorCount) { i in
            results.set(i, Result { try self.extractLayer(pending[i], image: image, store: store, progress: progress) })
        }
        var firstError: (any Error)?
        for (i, layer) in pending.enumerated() {
            switch results.get(i) {
            case .success(let extracted)?:
                guard firstError == nil else {
                    try? removeTree(extracted.work)
                    continue
                }
                // Commits go in layer order and stop at the first failure, so every lower layer is committed here.
                let lowers = all[..<layer.index].reversed().map { layerPath($0.chainID) }
                copyImpliedDirectoryAttributes(extracted.implicitDirectories, in: extracted.work + "/fs", from: lowers)
                do {
                    try copyUpHardlinkTargets(
                        extracted.lowerHardlinks, in: extracted.work + "/fs", from: lowers,
                        context: Self.context(layer, image))
                } catch {
                    try? removeTree(extracted.work)
                    firstError = error
                    continue
                }
                try commitLayer(layer, work: extracted.work, image: image)
            case .failure(let error)?:
                firstError = firstError ?? error
            case nil:
                firstError = firstError ?? SnapshotError("unpack-failed", "layer \(layer.index) was not extracted")
            }
        }
        if let firstError { throw firstError }
    }

    /// Overlay shows an upper directory's own mode and owner, so a directory a layer only implied takes
    /// them from the nearest lower layer that has it (as a copy-up would).
    func copyImpliedDirectoryAttributes(_ directories: [String], in fs: String, from lowers: [String]) {
        for directory in directories {
            for lower in lowers {
                var st = stat()
                guard lstat(lower + "/" + directory, &st) == 0 else { continue }
                if st.st_mode & S_IFMT == S_IFDIR {
                    chmod(fs + "/" + directory, st.st_mode & 0o7777)
                    lchown(fs + "/" + directory, st.st_uid, st.st_gid)
                }
                break
            }
        }
    }

    /// Removes half-done extractions a crash left in `tmp/`. Call with the lock held.
    func clearLeftovers() throws {
        let tmp = directory + "/tmp"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? [] {
            try removeTree(tmp + "/" + name)
        }
    }

    static func context(_ layer: LayerUnpack, _ image: ResolvedImage) -> String {
        "image \(image.reference) layer \(layer.index) (\(layer.descriptor.digest))"
    }

    /// A verified extraction in `tmp/`: the work directory (holding `fs/`) and the directories only implied.
    struct Extracted: Sendable {
        var work: String
        var implicitDirectories: [String]
        var lowerHardlinks: [LowerHardlink]
    }

    /// Extracts one layer into `tmp/` and checks its diff_id.
    func extractLayer(
        _ layer: LayerUnpack, image: ResolvedImage, store: ImageStore,
        progress: UnpackProgress? = nil
    ) throws -> Extracted {
        let context = Self.context(layer, image)
        guard let compression = layer.descriptor.mediaType.layerCompression else {
            throw SnapshotError(
                "unsupported-layer-type",
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
            progress?.begin(
                layer.index, of: image.manifest.layers.count, digest: layer.descriptor.digest.description,
                total: layer.descriptor.size)
            var failed = true
            defer { progress?.end(layer.index, failed: failed) }
            let index = layer.index
            var onRead: (@Sendable (Int64) -> Void)?
            if let progress { onRead = { done in progress.advance(index, to: done) } }
            let reader = try TarReader(path: blob, compression: TarCompression(compression), progress: onRead)
            let result = try TarExtractor.extract(reader, into: fs, whiteouts: mode)
            guard result.stream.digest == layer.diffID.description else {
                throw SnapshotError(
                    "diffid-mismatch",
                    "\(context): wrong diff id calculated on extraction "
                        + "\"\(result.stream.digest)\", expected \(layer.diffID)")
            }
            failed = false
            return Extracted(
                work: work, implicitDirectories: result.implicitDirectories,
                lowerHardlinks: result.lowerHardlinks)
        } catch let error as SnapshotError {
            try? removeTree(work)
            throw error
        } catch {
            try? removeTree(work)
            throw SnapshotError("unpack-failed", "\(context): failed to extract layer \(layer.diffID)", underlying: error)
        }
    }

    /// Flushes and renames a verified extraction into `layers/<chain id>`.
    func commitLayer(_ layer: LayerUnpack, work: String, image: ResolvedImage) throws {
        CrashPoint.hit("unpack-before-commit")
        FileSync.filesystem(containing: work)
        let committed = "\(directory)/layers/\(layer.chainID.encoded)"
        do {
            try removeTree(committed)
            guard rename(work, committed) == 0 else {
                throw SnapshotError.posix(
                    "\(Self.context(layer, image)): cannot commit snapshot \(layer.chainID)",
                    errno: errno)
            }
        } catch {
            try? removeTree(work)
            throw error
        }
        CrashPoint.hit("unpack-after-commit")
    }

    /// A hard link to a file of a lower layer becomes a copy of that file in this layer (the two names
    /// then no longer share an inode, as after an overlay copy-up).
    func copyUpHardlinkTargets(_ links: [LowerHardlink], in fs: String, from lowers: [String], context: String) throws {
        for link in links {
            guard
                let source = lowers.lazy.map({ $0 + "/" + link.target }).first(where: { path in
                    var st = stat()
                    return lstat(path, &st) == 0
                })
            else {
                throw SnapshotError(
                    "unpack-failed",
                    "\(context): hard link \"\(link.link)\" points at \"\(link.target)\", "
                        + "which is in neither this layer nor the layers below")
            }
            var st = stat()
            guard lstat(source, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
                throw SnapshotError(
                    "unpack-failed",
                    "\(context): hard link \"\(link.link)\" points at \"\(link.target)\", "
                        + "which is not a regular file in the layers below")
            }
            try copyTree(file: source, to: fs + "/" + link.link)
        }
    }

    /// Copies a tree with ownership, modes, xattrs, hard links and devices kept (`cp -a`).
    func copyTree(from source: String, to target: String) throws {
        try runCopy(["-a", "--reflink=auto", source + "/.", target + "/"], source: source, target: target)
    }

    /// Copies one file with its attributes (`cp -a`).
    func copyTree(file source: String, to target: String) throws {
        try runCopy(["-a", "--reflink=auto", source, target], source: source, target: target)
    }

    func runCopy(_ arguments: [String], source: String, target: String) throws {
        let result: Command.Output
        do {
            result = try Command("/bin/cp", arguments).run()
        } catch {
            throw SnapshotError("snapshot-copy", "cannot run cp to copy \(source)", underlying: error)
        }
        guard result.status == 0 else {
            throw SnapshotError(
                "snapshot-copy",
                "copying \(source) to \(target) failed: "
                    + result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}

/// Per-layer results written from concurrent extraction threads.
final class ResultSlots: Sendable {
    private let slots: Mutex<[Result<SnapshotStore.Extracted, any Error>?]>

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    func set(_ i: Int, _ result: Result<SnapshotStore.Extracted, any Error>) {
        slots.withLock { $0[i] = result }
    }

    func get(_ i: Int) -> Result<SnapshotStore.Extracted, any Error>? {
        slots.withLock { $0[i] }
    }
}

extension TarCompression {
    init(_ compression: LayerCompression) {
        switch compression {
        case .uncompressed: self = .none
        case .gzip: self = .gzip
        case .zstd: self = .zstd
        case .detect: self = .detect
        }
    }
}
