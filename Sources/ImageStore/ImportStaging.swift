import Foundation
import OCI
import TarArchive

/// The files of an archive or layout being imported: every regular file hashed into `ingest/`,
/// symlinks remembered, small metadata files kept in memory. Nothing reaches `blobs/` until `commit`.
final class ImportStaging {
    static let metadataNames: Set<String> = ["oci-layout", "index.json", "manifest.json", "repositories"]
    let store: ImageStore
    let source: String
    private(set) var temps: [Digest: String] = [:]
    private(set) var sizes: [Digest: Int64] = [:]
    private(set) var byPath: [String: Digest] = [:]
    private(set) var symlinks: [String: String] = [:]
    private(set) var metadata: [String: Data] = [:]

    init(store: ImageStore, source: String) {
        self.store = store
        self.source = source
    }

    deinit {
        for path in temps.values { unlink(path) }
    }

    /// Reads every entry of a tar archive (plain, gzip or zstd).
    func readArchive(_ path: String) throws {
        let reader = try TarReader(path: path, compression: .detect)
        while let entry = try reader.next() {
            guard let name = Self.clean(entry.path) else { continue }
            switch entry.kind {
            case .regular:
                if Self.metadataNames.contains(name) {
                    metadata[name] = try reader.readData(limit: ImageStore.jsonLimit)
                } else {
                    try ingest(name) { fd in try reader.copyData(to: fd) }
                }
            case .symlink:
                symlinks[name] = entry.symlinkTarget ?? ""
            case .hardlink:
                if let target = entry.hardlinkTarget.flatMap(Self.clean), let digest = byPath[target] { byPath[name] = digest }
            default:
                continue
            }
        }
    }

    /// Reads every file of an OCI layout directory.
    func readDirectory(_ root: String) throws {
        guard let paths = FileManager.default.subpaths(atPath: root) else {
            throw ImageStoreError("import-unreadable", "cannot list \(root)", category: .usage)
        }
        for name in paths.sorted() {
            let full = root + "/" + name
            var st = stat()
            guard lstat(full, &st) == 0 else { throw ImageStoreError.posix("cannot stat \(full)", errno: errno) }
            switch st.st_mode & S_IFMT {
            case S_IFREG:
                if Self.metadataNames.contains(name) {
                    guard st.st_size <= ImageStore.jsonLimit, let data = FileManager.default.contents(atPath: full) else {
                        throw ImageStoreError("import-unreadable", "cannot read \(full)")
                    }
                    metadata[name] = data
                } else {
                    try ingest(name) { fd in try Self.copy(full, to: fd) }
                }
            case S_IFLNK:
                symlinks[name] = (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) ?? ""
            default:
                continue
            }
        }
    }

    /// Writes one file into ingest/ through `write`, hashes it, and checks an OCI blob path against its digest.
    func ingest(_ name: String, write: (Int32) throws -> Void) throws {
        let temp = store.newIngestPath()
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ImageStoreError.posix("cannot create \(temp)", errno: errno) }
        do {
            try write(fd)
            guard fsync(fd) == 0 else { throw ImageStoreError.posix("cannot write \(temp)", errno: errno) }
            close(fd)
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        let (hex, size) = try FileSystem.hashFile(temp)
        let digest = try Digest(sha256Hex: hex)
        let parts = name.split(separator: "/")
        if parts.count == 3, parts[0] == "blobs", parts[1] == "sha256", String(parts[2]) != hex {
            unlink(temp)
            throw ImageStoreError(
                "blob-digest-mismatch",
                "\(source): blob \(name) has content digest \(digest); "
                    + "nothing was imported")
        }
        byPath[name] = digest
        if temps[digest] == nil, !store.hasBlob(digest) {
            temps[digest] = temp
            sizes[digest] = size
        } else {
            unlink(temp)
        }
    }

    /// Adds a blob Berth made itself (a synthesized manifest).
    func add(_ data: Data) throws -> Digest {
        let digest = try Digest(sha256Hex: FileSystem.sha256Hex(data))
        if temps[digest] == nil, !store.hasBlob(digest) {
            let temp = store.newIngestPath()
            try FileSystem.writeSynced(data, to: temp)
            temps[digest] = temp
            sizes[digest] = Int64(data.count)
        }
        return digest
    }

    /// Size of a blob staged here or already in the store.
    func size(of digest: Digest) -> Int64? {
        if let size = sizes[digest] { return size }
        var st = stat()
        return stat(store.blobPath(digest), &st) == 0 ? Int64(st.st_size) : nil
    }

    /// Path of a blob staged here or already in the store.
    func path(of digest: Digest) -> String { temps[digest] ?? store.blobPath(digest) }

    /// A JSON blob's bytes, checked against the descriptor's size (digests were checked on the way in).
    func read(_ descriptor: Descriptor) throws -> Data {
        guard let size = size(of: descriptor.digest) else {
            throw ImageStoreError(
                "blob-missing",
                "\(source): blob \(descriptor.digest) (\(descriptor.mediaType)) "
                    + "is neither in the archive nor in the store; nothing was imported")
        }
        guard size == descriptor.size else {
            throw ImageStoreError(
                "blob-size-mismatch",
                "\(source): blob \(descriptor.digest) has \(size) bytes, "
                    + "its descriptor says \(descriptor.size); nothing was imported")
        }
        guard size <= Int64(ImageStore.jsonLimit), let data = FileManager.default.contents(atPath: path(of: descriptor.digest)) else {
            throw ImageStoreError("blob-too-large", "\(source): blob \(descriptor.digest) cannot be read as JSON")
        }
        return data
    }

    /// The digest of the file at archive path `name`, following symlinks (Docker's shared layers).
    func digest(atPath name: String) -> Digest? {
        var current = name
        for _ in 0..<16 {
            if let digest = byPath[current] { return digest }
            guard let target = symlinks[current] else { return nil }
            let dir = (current as NSString).deletingLastPathComponent
            guard let next = Self.clean(target.hasPrefix("/") ? target : (dir.isEmpty ? target : dir + "/" + target)) else {
                return nil
            }
            current = next
        }
        return nil
    }

    /// Moves every staged blob into `blobs/`. Call with the store lock held.
    func commit() throws {
        for (digest, temp) in temps.sorted(by: { $0.key < $1.key }) {
            if store.hasBlob(digest) {
                unlink(temp)
            } else {
                try store.moveIntoPlace(temp, digest: digest)
            }
            temps[digest] = nil
        }
    }

    /// Archive-relative path without `./`, `..` resolved; nil for the root.
    static func clean(_ name: String) -> String? {
        var parts: [Substring] = []
        for part in name.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }

    static func copy(_ path: String, to outFD: Int32) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ImageStoreError.posix("cannot open \(path)", errno: errno) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw ImageStoreError.posix("cannot read \(path)", errno: errno) }
            if n == 0 { return }
            var done = 0
            while done < n {
                let w = buffer.withUnsafeBytes { write(outFD, $0.baseAddress.map { $0 + done }, n - done) }
                if w < 0 { if errno == EINTR { continue }; throw ImageStoreError.posix("cannot copy \(path)", errno: errno) }
                done += w
            }
        }
    }
}
