import Foundation
import OCI
import TarArchive

/// What `prune` removed.
public struct PruneResult: Hashable, Sendable {
    public var removed: [Digest]
    public var bytes: Int64
}

extension ImageStore {
    /// Writes the image named `reference` (all platforms present) as an OCI archive at `path`:
    /// `oci-layout`, `index.json` with the one named entry, and its blobs; deterministic bytes.
    public func export(reference: String, to path: String) throws {
        let name = try ImageReference(parsing: reference)
        guard let entry = try findEntry(name) else { throw ImageStoreError.notFound(name.description) }
        guard hasBlob(entry.digest) else {
            throw ImageStoreError("blob-missing", "image \(name) points at \(entry.digest), which is missing from \(root)")
        }
        // Blobs of other platforms may be absent (an OCI layout allows that); export what is here.
        let blobs = try reachableBlobs(from: [entry], requireAll: false)
        var exported = entry
        exported.annotations = [AnnotationKey.refName: name.description, AnnotationKey.containerdImageName: name.description]
        let index = ImageIndex(manifests: [exported])
        let temp = path + ".tmp-\(getpid())"
        do {
            let writer = try TarWriter(path: temp)
            try writer.add("blobs/", kind: .directory, mode: 0o755)
            try writer.add("blobs/sha256/", kind: .directory, mode: 0o755)
            for digest in blobs.sorted() {
                try writer.addFile("blobs/sha256/" + digest.encoded, from: blobPath(digest))
            }
            try writer.add("index.json", kind: .regular, data: try CanonicalJSON.encode(index))
            try writer.add("oci-layout", kind: .regular, data: try CanonicalJSON.encode(ImageLayoutHeader()))
            try writer.finish()
        } catch {
            unlink(temp)
            throw error
        }
        guard rename(temp, path) == 0 else {
            let err = errno
            unlink(temp)
            throw ImageStoreError.posix("cannot write \(path)", errno: err)
        }
    }

    /// Deletes blobs no index.json entry reaches, and ingest files older than an hour.
    @discardableResult
    public func prune() throws -> PruneResult {
        try withLock {
            let keep = try reachableBlobs(from: try readIndex().manifests, requireAll: false)
            var result = PruneResult(removed: [], bytes: 0)
            let dir = root + "/blobs/sha256"
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() {
                guard let digest = try? Digest(sha256Hex: name), !keep.contains(digest) else { continue }
                var st = stat()
                if stat(dir + "/" + name, &st) == 0 { result.bytes += Int64(st.st_size) }
                guard unlink(dir + "/" + name) == 0 else { throw ImageStoreError.posix("cannot remove blob \(digest)", errno: errno) }
                result.removed.append(digest)
            }
            let ingest = root + "/ingest"
            let cutoff = time(nil) - 3600
            for name in (try? FileManager.default.contentsOfDirectory(atPath: ingest)) ?? [] {
                var st = stat()
                if stat(ingest + "/" + name, &st) == 0, st.st_mtim.tv_sec < cutoff { unlink(ingest + "/" + name) }
            }
            return result
        }
    }

    /// Every blob reachable from `entries` (indexes, manifests, configs, layers). With `requireAll`,
    /// a missing blob is an error; otherwise missing children are skipped.
    func reachableBlobs(from entries: [Descriptor], requireAll: Bool) throws -> Set<Digest> {
        var seen: Set<Digest> = []
        var pending = entries
        while let descriptor = pending.popLast() {
            guard !seen.contains(descriptor.digest) else { continue }
            guard hasBlob(descriptor.digest) else {
                if requireAll {
                    throw ImageStoreError("blob-missing", "blob \(descriptor.digest) (\(descriptor.mediaType)) is missing from \(root)")
                }
                continue
            }
            seen.insert(descriptor.digest)
            if descriptor.mediaType.isIndex {
                pending.append(contentsOf: try readJSON(ImageIndex.self, descriptor).manifests)
            } else if descriptor.mediaType.isManifest {
                let manifest = try readJSON(ImageManifest.self, descriptor)
                pending.append(manifest.config)
                pending.append(contentsOf: manifest.layers)
            }
        }
        return seen
    }
}
