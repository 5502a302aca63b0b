import Foundation
import ImageStore
import OCI
import TarArchive

/// What to checkpoint: the container's identity, its base image, spec and writable layer.
public struct CheckpointRequest: Sendable {
    /// Container name, for messages.
    public var container: String
    /// Runtime name recorded in the index (`runc`, `crun`).
    public var runtime: String
    /// Snapshotter recorded in the index (`overlayfs`, `native`).
    public var snapshotter: String
    public var baseImage: ResolvedImage
    /// The container's current runtime spec (its bundle's config.json).
    public var spec: RuntimeSpec
    public var rw: RWSource
    /// A CRIU image directory (`runc checkpoint --image-path`), or nil for a filesystem-only checkpoint.
    public var criuDirectory: String?

    public init(
        container: String, runtime: String, snapshotter: String, baseImage: ResolvedImage, spec: RuntimeSpec,
        rw: RWSource, criuDirectory: String? = nil
    ) {
        self.container = container
        self.runtime = runtime
        self.snapshotter = snapshotter
        self.baseImage = baseImage
        self.spec = spec
        self.rw = rw
        self.criuDirectory = criuDirectory
    }
}

/// Writes a checkpoint image into the image store, in containerd's `ctr containers checkpoint` layout:
/// an OCI index annotated with the base image name, runtime and snapshotter, listing the base manifest,
/// the spec (Berth's JSON media type), the rw diff (OCI tar+gzip) and, with process state, the CRIU tar.
public struct CheckpointWriter: Sendable {
    public var store: ImageStore

    public init(store: ImageStore) { self.store = store }

    /// Stores the checkpoint and names it `tag`; returns it as `CheckpointImage.load` would read it.
    @discardableResult
    public func write(_ request: CheckpointRequest, tag: String) throws -> CheckpointImage {
        guard let tagName = try? ImageReference(parsing: tag).description else {
            throw CheckpointError(
                "invalid-checkpoint-tag", "checkpoint tag \"\(tag)\" is not a valid image reference",
                category: .usage)
        }
        let rw = try writeRW(request.rw)
        let spec = try store.storeBlob(try CanonicalJSON.encode(request.spec), mediaType: .berthCheckpointSpec)
        var manifests = [baseDescriptor(request.baseImage), spec, rw]
        if let criu = request.criuDirectory { manifests.append(try writeCriu(criu)) }
        let index = ImageIndex(
            manifests: manifests,
            annotations: [
                CheckpointAnnotation.imageName: request.baseImage.reference,
                CheckpointAnnotation.runtime: request.runtime,
                CheckpointAnnotation.snapshotter: request.snapshotter,
            ])
        let indexDescriptor = try store.storeBlob(try CanonicalJSON.encode(index), mediaType: .ociIndex)
        try store.setIndexReference(tagName, to: indexDescriptor)
        return try CheckpointImage.load(reference: tagName, store: store)
    }

    /// The base image's platform manifest, with its platform so an import can pick it.
    func baseDescriptor(_ image: ResolvedImage) -> Descriptor {
        var descriptor = Descriptor(
            mediaType: image.manifestDescriptor.mediaType, digest: image.manifestDescriptor.digest,
            size: image.manifestDescriptor.size, annotations: image.manifestDescriptor.annotations)
        descriptor.platform = image.manifestDescriptor.platform ?? image.config.platform
        return descriptor
    }

    /// Packs the writable layer's changes, gzips them (no name, no timestamp) and stores the layer.
    func writeRW(_ source: RWSource) throws -> Descriptor {
        let (root, items) = try RWDiff.items(source)
        let tar = store.temporaryBlobPath()
        let gz = store.temporaryBlobPath()
        defer {
            unlink(tar)
            unlink(gz)
        }
        let diffID = try DiffTarWriter.write(items, root: root, to: tar)
        _ = try TarPacker.gzip(file: tar, to: gz)
        return try store.commitBlob(at: gz, mediaType: .ociLayerGzip, annotations: [CheckpointAnnotation.uncompressed: diffID])
    }

    /// Tars the CRIU image directory as is (a diff from empty, like containerd).
    func writeCriu(_ directory: String) throws -> Descriptor {
        try RWDiff.requireDirectory(directory, what: "CRIU image directory")
        let tar = store.temporaryBlobPath()
        defer { unlink(tar) }
        _ = try TarPacker.packTar(directory: directory, to: tar)
        return try store.commitBlob(at: tar, mediaType: .checkpointCriuTar)
    }
}
