/// A media type string. Open set: unknown values decode and round-trip.
public struct MediaType: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    // OCI image-spec media-types.md
    public static let ociLayoutHeader: MediaType = "application/vnd.oci.layout.header.v1+json"
    public static let ociIndex: MediaType = "application/vnd.oci.image.index.v1+json"
    public static let ociManifest: MediaType = "application/vnd.oci.image.manifest.v1+json"
    public static let ociConfig: MediaType = "application/vnd.oci.image.config.v1+json"
    public static let ociLayer: MediaType = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerGzip: MediaType = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd: MediaType = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let ociLayerNondistributable: MediaType = "application/vnd.oci.image.layer.nondistributable.v1.tar"
    public static let ociLayerNondistributableGzip: MediaType = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
    public static let ociLayerNondistributableZstd: MediaType = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
    public static let ociEmpty: MediaType = "application/vnd.oci.empty.v1+json"

    // Docker image manifest v2 schema 2
    public static let dockerManifest: MediaType = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList: MediaType = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerConfig: MediaType = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayer: MediaType = "application/vnd.docker.image.rootfs.diff.tar"
    public static let dockerLayerGzip: MediaType = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    public static let dockerLayerZstd: MediaType = "application/vnd.docker.image.rootfs.diff.tar.zstd"
    public static let dockerForeignLayer: MediaType = "application/vnd.docker.image.rootfs.foreign.diff.tar"
    public static let dockerForeignLayerGzip: MediaType = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

    public var isIndex: Bool { self == .ociIndex || self == .dockerManifestList }
    public var isManifest: Bool { self == .ociManifest || self == .dockerManifest }
    public var isConfig: Bool { self == .ociConfig || self == .dockerConfig }

    /// How a layer of this media type is compressed, or nil when this is not a known layer type.
    public var layerCompression: LayerCompression? {
        switch self {
        case .ociLayer, .ociLayerNondistributable: return .uncompressed
        case .ociLayerGzip, .ociLayerNondistributableGzip, .dockerLayerGzip, .dockerForeignLayerGzip: return .gzip
        case .ociLayerZstd, .ociLayerNondistributableZstd, .dockerLayerZstd: return .zstd
        case .dockerLayer, .dockerForeignLayer: return .detect
        default: return nil
        }
    }
}

/// Compression of a layer blob as its media type declares it.
public enum LayerCompression: String, Sendable, Hashable {
    /// Uncompressed tar, used as is (OCI `.tar` is never sniffed, as containerd). Not named `none`,
    /// which would read as `Optional.none` where a `LayerCompression?` is expected.
    case uncompressed
    case gzip
    case zstd
    /// Docker `.tar` layers: decide by magic bytes.
    case detect
}
