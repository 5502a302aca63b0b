import Foundation
import OCI

extension ImageStore {
    /// A fresh file path under `ingest/` for a blob a caller streams in; pass it to `commitIngestedBlob`.
    public func makeIngestPath() -> String { newIngestPath() }

    /// Verifies the ingest file hashes to `digest` (and has `size` bytes when given), then moves it into `blobs/`.
    /// A file with other content is removed and `blob-digest-mismatch` thrown: no blob ever sits under a wrong name.
    public func commitIngestedBlob(_ path: String, digest: Digest, size: Int64?) throws {
        try withLock {
            if hasBlob(digest) {
                unlink(path)
                return
            }
            try commitIngest(path, digest: digest, size: size)
        }
    }

    /// Stores `data` as the blob `descriptor` names, refusing bytes with another digest or size.
    public func storeBlob(_ data: Data, as descriptor: Descriptor) throws {
        let actual = "sha256:" + FileSystem.sha256Hex(data)
        guard actual == descriptor.digest.description, Int64(data.count) == descriptor.size else {
            throw ImageStoreError(
                "blob-digest-mismatch",
                "blob \(descriptor.digest): content has digest \(actual) and "
                    + "size \(data.count), expected size \(descriptor.size)")
        }
        _ = try withLock { try writeBlob(data, mediaType: descriptor.mediaType) }
    }

    /// Names `target` (a manifest or image index already in the store) `reference` in index.json,
    /// replacing what the name pointed at before, and returns the image resolved for `platform`.
    @discardableResult
    public func setReference(
        _ reference: String, to target: Descriptor, resolvingFor platform: Platform = .host
    )
        throws -> ResolvedImage
    {
        let name = try ImageReference(parsing: reference).description
        return try withLock {
            let entry = try setReference(name, to: target, platform: target.mediaType.isIndex ? nil : target.platform)
            return try resolveEntry(entry, name: name, platform: platform)
        }
    }
}
