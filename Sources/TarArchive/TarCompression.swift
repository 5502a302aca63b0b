/// How a tar stream is compressed on disk.
public enum TarCompression: String, Sendable, Hashable {
    /// Plain tar, used as is and never sniffed.
    case none
    /// gzip (falls back to magic-byte detection like containerd).
    case gzip
    /// zstd (falls back to magic-byte detection like containerd).
    case zstd
    /// Decide by magic bytes: gzip, zstd, else uncompressed.
    case detect
}

/// What a finished read or write saw: the SHA-256 of a byte stream and its length.
public struct StreamDigest: Hashable, Sendable {
    /// `sha256:<64 hex>`.
    public var digest: String
    public var size: Int64

    public init(digest: String, size: Int64) {
        self.digest = digest
        self.size = size
    }
}
