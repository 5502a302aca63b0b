import Foundation
import OCI
import Synchronization

/// The image store: an OCI image layout at `root` (`oci-layout`, `index.json`, `blobs/sha256/`),
/// plus `ingest/` for in-flight blob writes. Changes take an exclusive flock on `root/lock`.
public final class ImageStore: Sendable {
    public let root: String
    /// JSON documents (index, manifest, config) larger than this are refused.
    static let jsonLimit = 20 << 20
    /// Images this process has looked up (in any store object on a layout), with the index.json they were found in.
    static let lookups = Mutex<[LookupKey: KeptLookup]>([:])

    /// Opens the layout at `root`, creating its files when missing.
    public init(root: String) throws {
        self.root = root
        // An existing layout is opened without writing anything (a read-only state root still lists images).
        if FileSystem.exists(root + "/oci-layout"), FileSystem.exists(root + "/index.json"),
            FileSystem.exists(root + "/blobs/sha256"), FileSystem.exists(root + "/ingest")
        {
            return
        }
        try FileSystem.makeDirectory(root + "/blobs/sha256")
        try FileSystem.makeDirectory(root + "/ingest")
        try FileSystem.withLock(root + "/lock") {
            if !FileSystem.exists(root + "/oci-layout") {
                try FileSystem.atomicWrite(try CanonicalJSON.encode(ImageLayoutHeader()), to: root + "/oci-layout")
            }
            if !FileSystem.exists(root + "/index.json") {
                try FileSystem.atomicWrite(try CanonicalJSON.encode(ImageIndex(manifests: [])), to: root + "/index.json")
            }
        }
    }

    /// Where the blob with `digest` lives (whether or not it exists).
    public func blobPath(_ digest: Digest) -> String {
        "\(root)/blobs/\(digest.algorithm)/\(digest.encoded)"
    }

    /// Whether the blob is present.
    public func hasBlob(_ digest: Digest) -> Bool { FileSystem.exists(blobPath(digest)) }

    @discardableResult
    func withLock<T>(_ body: () throws -> T) throws -> T {
        try FileSystem.withLock(root + "/lock", body)
    }

    func readIndex() throws(ImageStoreError) -> ImageIndex {
        let path = root + "/index.json"
        do {
            return try CanonicalJSON.decode(ImageIndex.self, from: try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ImageStoreError("image-store-corrupt", "cannot read \(path)", underlying: error)
        }
    }

    func writeIndex(_ index: ImageIndex) throws {
        var sorted = index
        sorted.manifests.sort { ($0.imageName ?? "", $0.digest) < ($1.imageName ?? "", $1.digest) }
        try FileSystem.atomicWrite(try CanonicalJSON.encode(sorted), to: root + "/index.json")
    }

    /// Reads and decodes a JSON blob, checking it against its descriptor's digest and size.
    func readJSON<T: Decodable>(_ type: T.Type, _ descriptor: Descriptor) throws -> T {
        let data = try readBlob(descriptor)
        do {
            return try CanonicalJSON.decode(type, from: data)
        } catch {
            throw ImageStoreError(
                "image-store-corrupt", "blob \(descriptor.digest) (\(descriptor.mediaType)) is not valid JSON",
                underlying: error)
        }
    }

    func readBlob(_ descriptor: Descriptor) throws(ImageStoreError) -> Data {
        guard descriptor.size <= Int64(Self.jsonLimit) else {
            throw ImageStoreError("blob-too-large", "blob \(descriptor.digest) is \(descriptor.size) bytes, over the JSON limit")
        }
        let path = blobPath(descriptor.digest)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageStoreError("blob-missing", "blob \(descriptor.digest) (\(descriptor.mediaType)) is missing from \(root)")
        }
        let actual = "sha256:" + FileSystem.sha256Hex(data)
        guard actual == descriptor.digest.description, Int64(data.count) == descriptor.size else {
            throw ImageStoreError(
                "blob-corrupt",
                "blob \(descriptor.digest) has digest \(actual) and size \(data.count), "
                    + "expected size \(descriptor.size)")
        }
        return data
    }

    /// Stores `data` as a blob (through `ingest/`), returning its descriptor.
    func writeBlob(_ data: Data, mediaType: MediaType) throws -> Descriptor {
        let digest = try Digest(sha256Hex: FileSystem.sha256Hex(data))
        let descriptor = Descriptor(mediaType: mediaType, digest: digest, size: Int64(data.count))
        if hasBlob(digest) { return descriptor }
        let temp = newIngestPath()
        try FileSystem.writeSynced(data, to: temp)
        try commitIngest(temp, digest: digest, size: Int64(data.count))
        return descriptor
    }

    /// A fresh path under `ingest/` for a blob being written.
    func newIngestPath() -> String {
        "\(root)/ingest/\(getpid())-\(UUID().uuidString)"
    }

    /// Verifies the file at `temp` (under ingest/) hashes to `digest` with `size` bytes, then renames it into place.
    func commitIngest(_ temp: String, digest: Digest, size: Int64?) throws {
        let (hex, actualSize) = try FileSystem.hashFile(temp)
        guard hex == digest.encoded, size == nil || size == actualSize else {
            unlink(temp)
            throw ImageStoreError(
                "blob-digest-mismatch",
                "blob \(digest): content has digest sha256:\(hex) and "
                    + "size \(actualSize)" + (size.map { ", expected size \($0)" } ?? ""))
        }
        try moveIntoPlace(temp, digest: digest)
    }

    /// Renames an already verified ingest file into `blobs/`.
    func moveIntoPlace(_ temp: String, digest: Digest) throws {
        guard rename(temp, blobPath(digest)) == 0 else {
            let err = errno
            unlink(temp)
            throw ImageStoreError.posix("cannot store blob \(digest)", errno: err)
        }
        FileSystem.syncDirectory(root + "/blobs/sha256")
    }
}

extension Descriptor {
    /// The image name an index.json entry carries (containerd's annotation first, then the OCI ref name).
    var imageName: String? {
        annotations?[AnnotationKey.containerdImageName] ?? annotations?[AnnotationKey.refName]
    }
}

struct LookupKey: Hashable {
    var root: String
    var reference: String
    var platform: Platform
}

struct KeptLookup {
    var index: FileIdentity
    var image: ResolvedImage?
}

/// What tells one version of a file from another: an atomic replacement (rename) gives a new inode, an
/// in-place write a new size or modification time.
struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modified: Int
    var modifiedNanoseconds: Int

    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = Int64(st.st_size)
        modified = st.st_mtim.tv_sec
        modifiedNanoseconds = st.st_mtim.tv_nsec
    }
}
