import ImageStore
import OCI

extension CheckpointImage {
    /// The image whose layers the rw diff goes on: the image named by the checkpoint when it is in the
    /// store with the recorded manifest, else the manifest the checkpoint itself lists (its blobs travel
    /// with an exported checkpoint). Throws `checkpoint-base-missing` saying what to import.
    public func baseImage(in store: ImageStore, platform: Platform = .host) throws -> ResolvedImage {
        let named = try? store.lookup(baseReference, platform: platform)
        if let named, let recorded = baseManifest {
            if named.digest == recorded.digest || named.indexDescriptor.digest == recorded.digest { return named }
        } else if let named {
            return named
        }
        guard let recorded = baseManifest, recorded.mediaType.isManifest, store.hasBlob(recorded.digest) else {
            throw CheckpointError(
                "checkpoint-base-missing",
                "checkpoint \(reference) needs its base image \(baseReference)"
                    + (baseManifest.map { " (\($0.digest))" } ?? "") + ", which is not in the image store; "
                    + "import or pull it first")
        }
        // The checkpoint index lists exactly one platform manifest (its base), so resolving it yields the base.
        var image = try store.resolve(reference, platform: platform)
        image.reference = baseReference
        image.indexDescriptor = recorded
        return image
    }
}
