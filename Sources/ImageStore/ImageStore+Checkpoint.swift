import Foundation
import OCI

/// Thin public wrappers over the store's internals for images that are not platform images
/// (checkpoint indexes): write blobs, name an index, read verified blobs.
extension ImageStore {
    /// A fresh path under `ingest/` where a caller may build a blob file before `commitBlob`.
    public func temporaryBlobPath() -> String { newIngestPath() }

    /// Hashes the file at `temp` (made through `temporaryBlobPath`) and moves it into `blobs/`;
    /// the file is gone afterwards either way.
    public func commitBlob(
        at temp: String, mediaType: MediaType,
        annotations: [String: String]? = nil
    ) throws -> Descriptor {
        let (hex, size) = try FileSystem.hashFile(temp)
        let digest = try Digest(sha256Hex: hex)
        try withLock {
            if hasBlob(digest) {
                unlink(temp)
            } else {
                try moveIntoPlace(temp, digest: digest)
            }
        }
        return Descriptor(mediaType: mediaType, digest: digest, size: size, annotations: annotations)
    }

    /// Stores `data` as a blob, returning its descriptor (idempotent).
    public func storeBlob(_ data: Data, mediaType: MediaType) throws -> Descriptor {
        try withLock { try writeBlob(data, mediaType: mediaType) }
    }

    /// Names `target` (any descriptor whose blobs are stored, e.g. a checkpoint index) `reference`
    /// in index.json, replacing what the name pointed at. Returns the index.json entry.
    @discardableResult
    public func setIndexReference(_ reference: String, to target: Descriptor) throws -> Descriptor {
        let name = try ImageReference(parsing: reference).description
        guard hasBlob(target.digest) else {
            throw ImageStoreError("blob-missing", "cannot name \(name): blob \(target.digest) is not in \(root)")
        }
        return try withLock { try setReference(name, to: target, platform: nil) }
    }

    /// The index.json entry named `reference` (normalized), or nil.
    public func entry(named reference: String) throws -> Descriptor? {
        try findEntry(try ImageReference(parsing: reference))
    }

    /// A small (JSON-sized) blob's bytes, checked against the descriptor's digest and size.
    public func verifiedBlob(_ descriptor: Descriptor) throws -> Data {
        try readBlob(descriptor)
    }

    /// Hashes a blob of any size and throws `blob-missing` / `blob-corrupt` when it does not match.
    public func checkBlob(_ descriptor: Descriptor) throws {
        let path = blobPath(descriptor.digest)
        guard hasBlob(descriptor.digest) else {
            throw ImageStoreError("blob-missing", "blob \(descriptor.digest) (\(descriptor.mediaType)) is missing from \(root)")
        }
        let (hex, size) = try FileSystem.hashFile(path)
        guard hex == descriptor.digest.encoded, size == descriptor.size else {
            throw ImageStoreError(
                "blob-corrupt",
                "blob \(descriptor.digest) has digest sha256:\(hex) and size \(size), "
                    + "expected size \(descriptor.size)")
        }
    }
}
