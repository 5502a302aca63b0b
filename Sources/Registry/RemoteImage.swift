import OCI

/// What a reference names in its registry for one platform, and which of its blobs the store still lacks.
public struct RemoteImage: Sendable, Hashable {
    /// The normalized reference, e.g. `docker.io/library/alpine:latest`.
    public var reference: String
    /// What the tag (or digest) names: an image index or a manifest.
    public var rootDescriptor: Descriptor
    /// The manifest chosen for the platform (the same as `rootDescriptor` when that is a manifest).
    public var manifestDescriptor: Descriptor
    public var manifest: ImageManifest
    /// Config and layer blobs not yet in the store, config first.
    public var missingBlobs: [Descriptor]

    /// Bytes still to download.
    public var missingBytes: Int64 { missingBlobs.reduce(0) { $0 + $1.size } }
    /// The manifest digest, which identifies the image for this platform.
    public var digest: Digest { manifestDescriptor.digest }
}

/// Progress of one blob during a pull, with the pull's running totals; for a progress line on a TTY.
public struct PullProgress: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        /// Already in the store (verified earlier): not downloaded.
        case present
        case downloading
        /// Downloaded, verified and stored.
        case done
    }

    public var digest: Digest
    public var mediaType: MediaType
    public var state: State
    /// Bytes of this blob received so far (its full size when present or done).
    public var completedBytes: Int64
    public var totalBytes: Int64
    /// Bytes of all the image's blobs received or already present.
    public var overallCompletedBytes: Int64
    public var overallTotalBytes: Int64
}
