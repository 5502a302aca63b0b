import OCI

/// An image found in the store for one platform: its index entry, manifest and config.
public struct ResolvedImage: Hashable, Sendable {
    /// The normalized reference, e.g. `docker.io/library/busybox:latest`.
    public var reference: String
    /// The entry in index.json (may point at an image index).
    public var indexDescriptor: Descriptor
    /// The platform manifest chosen.
    public var manifestDescriptor: Descriptor
    public var manifest: ImageManifest
    public var config: ImageConfiguration

    public init(
        reference: String, indexDescriptor: Descriptor, manifestDescriptor: Descriptor,
        manifest: ImageManifest, config: ImageConfiguration
    ) {
        self.reference = reference
        self.indexDescriptor = indexDescriptor
        self.manifestDescriptor = manifestDescriptor
        self.manifest = manifest
        self.config = config
    }

    /// The manifest digest, which identifies the image for this platform.
    public var digest: Digest { manifestDescriptor.digest }
    /// The uncompressed layer digests from the config, base layer first.
    public var diffIDs: [Digest] { config.rootfs.diffIDs }
}

/// One image in the store, as `image ls` shows it.
public struct ImageRecord: Hashable, Sendable, Codable {
    public var reference: String
    /// Digest of the index.json entry (a manifest or an image index).
    public var digest: Digest
    public var mediaType: MediaType
    /// Manifest, config and layer bytes of the host (or only) platform; 0 when not resolvable.
    public var size: Int64
    /// Platforms the entry offers.
    public var platforms: [Platform]
}
