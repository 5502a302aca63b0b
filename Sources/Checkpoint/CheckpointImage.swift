import Foundation
import ImageStore
import OCI

/// A checkpoint image read from the store: Berth's layout or containerd's (`ctr containers checkpoint
/// --rw --image --task`, and the older `ctr tasks checkpoint` with its `image.name` annotation).
public struct CheckpointImage: Hashable, Sendable {
    /// The normalized name the checkpoint was loaded by.
    public var reference: String
    /// The checkpoint index's descriptor (its digest identifies the checkpoint).
    public var index: Descriptor
    /// The base image's name, from the index annotations.
    public var baseReference: String
    /// The base image's manifest (or image index) descriptor listed in the checkpoint.
    public var baseManifest: Descriptor?
    /// Runtime and snapshotter the container used (absent in Feb-2018 checkpoints).
    public var runtime: String?
    public var snapshotter: String?
    /// The checkpointed runtime spec, from Berth's JSON blob or containerd's protobuf `Any`.
    public var spec: RuntimeSpec?
    /// The rw diff layer (OCI tar+gzip; plain tar accepted).
    public var rwLayer: Descriptor?
    /// The CRIU image tar, when the checkpoint holds process state.
    public var criu: Descriptor?

    /// The checkpoint index's digest.
    public var digest: Digest { index.digest }
    /// Compressed size of the rw diff in bytes (0 without one).
    public var rwSize: Int64 { rwLayer?.size ?? 0 }
    /// Whether `runc restore` can bring the processes back.
    public var hasProcessState: Bool { criu != nil }

    /// Reads the checkpoint named `reference`; throws `checkpoint-not-found`, `not-a-checkpoint` or
    /// `checkpoint-incomplete` naming what is missing.
    public static func load(reference: String, store: ImageStore) throws -> CheckpointImage {
        guard let entry = try store.entry(named: reference) else {
            throw CheckpointError(
                "checkpoint-not-found",
                "checkpoint image \"\(reference)\" is not in the image store; "
                    + "create it with `berth checkpoint NAME --tag \(reference)` or import it with "
                    + "`berth image import FILE`")
        }
        guard entry.mediaType == .ociIndex else {
            throw CheckpointError.notCheckpoint(reference, "it is a \(entry.mediaType), not an OCI image index")
        }
        let index: ImageIndex
        do {
            index = try CanonicalJSON.decode(ImageIndex.self, from: try store.verifiedBlob(entry))
        } catch {
            throw CheckpointError(
                "checkpoint-corrupt", "checkpoint \(reference): cannot read its index \(entry.digest)",
                underlying: error)
        }
        let manifests = index.manifests
        let rw = manifests.first { [MediaType.ociLayerGzip, .ociLayer, .checkpointRWTar].contains($0.mediaType) }
        let specBlob = manifests.first { $0.mediaType == .berthCheckpointSpec || $0.mediaType == .checkpointConfigProto }
        guard rw != nil || specBlob != nil else {
            throw CheckpointError.notCheckpoint(reference, "no rw layer and no spec")
        }
        let annotations = index.annotations ?? [:]
        guard let base = annotations[CheckpointAnnotation.imageName] ?? annotations[CheckpointAnnotation.legacyImageName] else {
            throw CheckpointError(
                "checkpoint-incomplete",
                "checkpoint \(reference): image name not found in index "
                    + "(annotation \(CheckpointAnnotation.imageName))")
        }
        return CheckpointImage(
            reference: try ImageReference(parsing: reference).description, index: entry, baseReference: base,
            baseManifest: manifests.first { $0.mediaType.isManifest || $0.mediaType.isIndex },
            runtime: annotations[CheckpointAnnotation.runtime], snapshotter: annotations[CheckpointAnnotation.snapshotter],
            spec: try specBlob.map { try readSpec($0, store: store, reference: reference) },
            rwLayer: rw, criu: manifests.first { $0.mediaType == .checkpointCriuTar })
    }

    static func readSpec(_ descriptor: Descriptor, store: ImageStore, reference: String) throws -> RuntimeSpec {
        do {
            var json = try store.verifiedBlob(descriptor)
            if descriptor.mediaType == .checkpointConfigProto { json = try ProtoAny.value(of: json) }
            return try CanonicalJSON.decode(RuntimeSpec.self, from: json)
        } catch {
            throw CheckpointError(
                "checkpoint-corrupt",
                "checkpoint \(reference): its spec \(descriptor.digest) "
                    + "(\(descriptor.mediaType)) is not a runtime spec", underlying: error)
        }
    }
}
