import CArchive
import Foundation

/// Packs directories into tar streams deterministically: entries sorted by path, mtimes fixed,
/// numeric ownership and modes kept, no user/group names, atimes or ctimes.
public enum TarPacker {
    /// The modification time every packed entry gets (seconds since the epoch).
    public static let fixedModificationTime = 0

    /// Writes an uncompressed tar of `directory`'s contents to `output` (created or truncated).
    public static func packTar(directory: String, to output: String) throws(TarError) -> StreamDigest {
        ArchiveLocale.ensureUTF8()
        let names = try collect(directory)
        let fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TarError.posix("archive-write", "cannot create \(output)", errno: errno) }
        defer { close(fd) }
        guard let archive = archive_write_new() else { throw TarError(code: "archive-write", "cannot create tar writer") }
        let sink = HashingSink(fd: fd)
        // Freeing the archive flushes through the sink's callback: the sink must outlive it, even on a throw.
        defer { withExtendedLifetime(sink) { _ = archive_write_free(archive) } }
        archive_write_set_format_pax_restricted(archive)
        archive_write_add_filter_none(archive)
        guard sink.open(archive) == ARCHIVE_OK else {
            throw TarError.libarchive("archive-write", "cannot open \(output)", archive)
        }
        var links: [FileIdentity: String] = [:]
        for name in names {
            try writeEntry(archive, root: directory, name: name, links: &links)
        }
        guard archive_write_close(archive) == ARCHIVE_OK else {
            throw sink.failure != 0 ? TarError.posix("archive-write", "writing \(output)", errno: sink.failure)
                : TarError.libarchive("archive-write", "finishing \(output)", archive)
        }
        guard fsync(fd) == 0 else { throw TarError.posix("archive-write", "fsync \(output)", errno: errno) }
        return sink.result()
    }

    /// gzip-compresses `input` into `output` with no file name and no timestamp in the header.
    public static func gzip(file input: String, to output: String) throws(TarError) -> StreamDigest {
        try compress(file: input, to: output, compression: .gzip)
    }

    /// Compresses `input` into `output` with gzip (no name, no timestamp) or zstd; `.none` copies.
    public static func compress(file input: String, to output: String,
                                compression: TarCompression) throws(TarError) -> StreamDigest {
        let inFD = open(input, O_RDONLY | O_CLOEXEC)
        guard inFD >= 0 else { throw TarError.posix("archive-read", "cannot open \(input)", errno: errno) }
        defer { close(inFD) }
        let outFD = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard outFD >= 0 else { throw TarError.posix("archive-write", "cannot create \(output)", errno: errno) }
        defer { close(outFD) }
        guard let archive = archive_write_new() else { throw TarError(code: "archive-write", "cannot create gzip writer") }
        let sink = HashingSink(fd: outFD)
        defer { withExtendedLifetime(sink) { _ = archive_write_free(archive) } }
        archive_write_set_format_raw(archive)
        switch compression {
        case .gzip:
            archive_write_add_filter_gzip(archive)
            guard archive_write_set_options(archive, "gzip:!timestamp,gzip:compression-level=6") == ARCHIVE_OK else {
                throw TarError.libarchive("archive-write", "gzip options", archive)
            }
        case .zstd: archive_write_add_filter_zstd(archive)
        case .none, .detect: archive_write_add_filter_none(archive)
        }
        archive_write_set_bytes_in_last_block(archive, 1)
        guard sink.open(archive) == ARCHIVE_OK else {
            throw TarError.libarchive("archive-write", "cannot open \(output)", archive)
        }
        guard let entry = archive_entry_new() else { throw TarError(code: "archive-write", "cannot create entry") }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, "data")
        archive_entry_set_filetype(entry, EntryType.regular)
        archive_entry_set_perm(entry, 0o644)
        guard archive_write_header(archive, entry) == ARCHIVE_OK else {
            throw TarError.libarchive("archive-write", "gzip header for \(output)", archive)
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(inFD, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TarError.posix("archive-read", "reading \(input)", errno: errno)
            }
            if n == 0 { break }
            let written = buffer.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, n) }
            guard written == n else { throw TarError.libarchive("archive-write", "compressing \(input)", archive) }
        }
        guard archive_write_close(archive) == ARCHIVE_OK else {
            throw TarError.libarchive("archive-write", "finishing \(output)", archive)
        }
        guard fsync(outFD) == 0 else { throw TarError.posix("archive-write", "fsync \(output)", errno: errno) }
        return sink.result()
    }

    struct FileIdentity: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// All paths under `root`, relative, sorted bytewise (a parent always sorts before its children).
    static func collect(_ root: String) throws(TarError) -> [String] {
        var result: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let full = relative.isEmpty ? root : root + "/" + relative
            let children: [String]
            do {
                children = try FileManager.default.contentsOfDirectory(atPath: full)
            } catch {
                throw TarError(code: "archive-pack", "cannot list \(full)", underlying: error)
            }
            for child in children {
                let path = relative.isEmpty ? child : relative + "/" + child
                result.append(path)
                var st = stat()
                guard lstat(root + "/" + path, &st) == 0 else {
                    throw TarError.posix("archive-pack", "cannot stat \(root)/\(path)", errno: errno)
                }
                if st.st_mode & S_IFMT == S_IFDIR { pending.append(path) }
            }
        }
        return result.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    static func writeEntry(_ archive: OpaquePointer, root: String, name: String,
                           links: inout [FileIdentity: String]) throws(TarError) {
        let full = root + "/" + name
        var st = stat()
        guard lstat(full, &st) == 0 else { throw TarError.posix("archive-pack", "cannot stat \(full)", errno: errno) }
        guard let entry = archive_entry_new() else { throw TarError(code: "archive-pack", "cannot create entry") }
        defer { archive_entry_free(entry) }
        let type = st.st_mode & S_IFMT
        archive_entry_set_pathname(entry, type == S_IFDIR ? name + "/" : name)
        archive_entry_set_perm(entry, st.st_mode & 0o7777)
        archive_entry_set_uid(entry, la_int64_t(st.st_uid))
        archive_entry_set_gid(entry, la_int64_t(st.st_gid))
        archive_entry_set_mtime(entry, time_t(fixedModificationTime), 0)
        var dataFile = false
        switch type {
        case S_IFDIR:
            archive_entry_set_filetype(entry, EntryType.directory)
        case S_IFLNK:
            archive_entry_set_filetype(entry, EntryType.symlink)
            archive_entry_set_symlink(entry, try readLink(full))
        case S_IFREG:
            archive_entry_set_filetype(entry, EntryType.regular)
            let identity = FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
            if st.st_nlink > 1, let first = links[identity] {
                archive_entry_set_hardlink(entry, first)
            } else {
                if st.st_nlink > 1 { links[identity] = name }
                archive_entry_set_size(entry, la_int64_t(st.st_size))
                dataFile = true
            }
        case S_IFCHR, S_IFBLK:
            archive_entry_set_filetype(entry, type == S_IFCHR ? EntryType.characterDevice : EntryType.blockDevice)
            archive_entry_set_rdevmajor(entry, dev_t(deviceMajor(UInt64(st.st_rdev))))
            archive_entry_set_rdevminor(entry, dev_t(deviceMinor(UInt64(st.st_rdev))))
        case S_IFIFO:
            archive_entry_set_filetype(entry, EntryType.fifo)
        default:
            return  // sockets and unknown types are not packed (tar cannot carry sockets)
        }
        try addExtendedAttributes(of: full, to: entry)
        guard archive_write_header(archive, entry) == ARCHIVE_OK else {
            throw TarError.libarchive("archive-pack", "cannot pack \(full)", archive)
        }
        if dataFile { try copyFile(full, size: Int64(st.st_size), into: archive) }
    }

    /// Copies the file's extended attributes (sorted by name) into the entry as PAX `SCHILY.xattr.*`.
    static func addExtendedAttributes(of path: String, to entry: OpaquePointer) throws(TarError) {
        let listSize = llistxattr(path, nil, 0)
        if listSize < 0 {
            if errno == ENOTSUP { return }
            throw TarError.posix("archive-pack", "cannot list xattrs of \(path)", errno: errno)
        }
        guard listSize > 0 else { return }
        var list = [CChar](repeating: 0, count: listSize)
        let got = llistxattr(path, &list, list.count)
        guard got >= 0 else { throw TarError.posix("archive-pack", "cannot list xattrs of \(path)", errno: errno) }
        let names = list[0..<got].split(separator: 0).map { String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        for name in names.sorted() {
            let size = lgetxattr(path, name, nil, 0)
            guard size >= 0 else { throw TarError.posix("archive-pack", "cannot read xattr \(name) of \(path)", errno: errno) }
            var value = [UInt8](repeating: 0, count: size)
            let read = lgetxattr(path, name, &value, value.count)
            guard read >= 0 else { throw TarError.posix("archive-pack", "cannot read xattr \(name) of \(path)", errno: errno) }
            archive_entry_xattr_add_entry(entry, name, value, read)
        }
    }

    static func deviceMajor(_ dev: UInt64) -> UInt64 { ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff)) }
    static func deviceMinor(_ dev: UInt64) -> UInt64 { (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff)) }

    static func readLink(_ path: String) throws(TarError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { throw TarError.posix("archive-pack", "cannot read link \(path)", errno: errno) }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func copyFile(_ path: String, size: Int64, into archive: OpaquePointer) throws(TarError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TarError.posix("archive-pack", "cannot open \(path)", errno: errno) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var remaining = size
        while remaining > 0 {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, Int(remaining))) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TarError.posix("archive-pack", "reading \(path)", errno: errno)
            }
            guard n > 0 else { throw TarError(code: "archive-pack", "\(path) shrank while being packed") }
            let written = buffer.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, n) }
            guard written == n else { throw TarError.libarchive("archive-pack", "packing \(path)", archive) }
            remaining -= Int64(n)
        }
    }
}
