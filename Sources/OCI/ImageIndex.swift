/// An image index (image-spec image-index.md); also the shape of an OCI layout's index.json.
public struct ImageIndex: Codable, Hashable, Sendable {
    public var schemaVersion: Int
    public var mediaType: MediaType?
    public var manifests: [Descriptor]
    public var annotations: [String: String]?

    public init(
        schemaVersion: Int = 2, mediaType: MediaType? = .ociIndex, manifests: [Descriptor],
        annotations: [String: String]? = nil
    ) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.manifests = manifests
        self.annotations = annotations
    }
}

/// An image manifest (image-spec manifest.md); Docker schema 2 manifests decode into the same shape.
public struct ImageManifest: Codable, Hashable, Sendable {
    public var schemaVersion: Int
    public var mediaType: MediaType?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var annotations: [String: String]?
    public var artifactType: String?
    public var subject: Descriptor?

    public init(
        schemaVersion: Int = 2, mediaType: MediaType? = .ociManifest, config: Descriptor,
        layers: [Descriptor], annotations: [String: String]? = nil
    ) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
        self.annotations = annotations
    }
}

/// The `oci-layout` file of an image layout (image-spec image-layout.md).
public struct ImageLayoutHeader: Codable, Hashable, Sendable {
    public var imageLayoutVersion: String
    public init(imageLayoutVersion: String = "1.0.0") { self.imageLayoutVersion = imageLayoutVersion }
}
