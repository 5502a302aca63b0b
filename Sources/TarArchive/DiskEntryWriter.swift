import CArchive
import Foundation

/// Tar entries made from files on disk, for every archive Berth packs (rootfs imports, checkpoint diffs):
/// the header from `lstat` (type, permission bits, numeric owner, device numbers, extended attributes
/// sorted by name), a hard link for a file already written in the same stream, then the file's bytes.
public struct DiskEntryWriter {
    /// The modification time entries carry: a fixed one (reproducible images) or the file's own.
    public enum Times: Sendable {
        case fixed(Int)
        case file
    }

    private let times: Times
    private let keepAttribute: (String) -> Bool
    private var links: [FileIdentity: String] = [:]

    /// `keepAttribute` decides which extended attributes travel (all by default).
    public init(times: Times, keepAttribute: @escaping (String) -> Bool = { _ in true }) {
        self.times = times
        self.keepAttribute = keepAttribute
    }

    struct FileIdentity: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// Writes the file at `path` as entry `name` (a directory gets a trailing slash). Sockets and unknown
    /// types cannot travel in a tar: they are skipped and false is returned.
    @discardableResult
    public mutating func write(_ path: String, as name: String, into archive: OpaquePointer) throws(TarError) -> Bool {
        var st = stat()
        guard lstat(path, &st) == 0 else { throw TarError.posix("archive-pack", "cannot stat \(path)", errno: errno) }
        guard let entry = archive_entry_new() else { throw TarError.cannotCreate("archive-pack", "entry") }
        defer { archive_entry_free(entry) }
        let type = st.st_mode & S_IFMT
        archive_entry_set_pathname(entry, type == S_IFDIR ? name + "/" : name)
        archive_entry_set_perm(entry, st.st_mode & 0o7777)
        archive_entry_set_uid(entry, la_int64_t(st.st_uid))
        archive_entry_set_gid(entry, la_int64_t(st.st_gid))
        switch times {
        case .fixed(let seconds): archive_entry_set_mtime(entry, time_t(seconds), 0)
        case .file: archive_entry_set_mtime(entry, time_t(st.st_mtim.tv_sec), 0)
        }
        var copyData = false
        switch type {
        case S_IFDIR:
            archive_entry_set_filetype(entry, EntryType.directory)
        case S_IFLNK:
            archive_entry_set_filetype(entry, EntryType.symlink)
            archive_entry_set_symlink(entry, try Self.readLink(path))
        case S_IFREG:
            archive_entry_set_filetype(entry, EntryType.regular)
            let identity = FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
            if st.st_nlink > 1, let first = links[identity] {
                archive_entry_set_hardlink(entry, first)
            } else {
                if st.st_nlink > 1 { links[identity] = name }
                archive_entry_set_size(entry, la_int64_t(st.st_size))
                copyData = true
            }
        case S_IFCHR, S_IFBLK:
            archive_entry_set_filetype(entry, type == S_IFCHR ? EntryType.characterDevice : EntryType.blockDevice)
            archive_entry_set_rdevmajor(entry, dev_t(Self.deviceMajor(UInt64(st.st_rdev))))
            archive_entry_set_rdevminor(entry, dev_t(Self.deviceMinor(UInt64(st.st_rdev))))
        case S_IFIFO:
            archive_entry_set_filetype(entry, EntryType.fifo)
        default:
            return false
        }
        try addExtendedAttributes(of: path, to: entry)
        guard archive_write_header(archive, entry) == ARCHIVE_OK else {
            throw TarError.libarchive("archive-pack", "cannot pack \(path)", archive)
        }
        if copyData { try Self.copyFile(path, size: Int64(st.st_size), into: archive) }
        return true
    }

    /// The file's extended attributes, sorted by name, as PAX `SCHILY.xattr.*` records.
    private func addExtendedAttributes(of path: String, to entry: OpaquePointer) throws(TarError) {
        let listSize = llistxattr(path, nil, 0)
        if listSize < 0 {
            if errno == ENOTSUP || errno == ENODATA { return }
            throw TarError.posix("archive-pack", "cannot list xattrs of \(path)", errno: errno)
        }
        guard listSize > 0 else { return }
        var list = [CChar](repeating: 0, count: listSize)
        let got = llistxattr(path, &list, list.count)
        guard got >= 0 else { throw TarError.posix("archive-pack", "cannot list xattrs of \(path)", errno: errno) }
        let names = list[0..<got].split(separator: 0).map { String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        for name in names.sorted() where keepAttribute(name) {
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
            guard n > 0 else { throw TarError("archive-pack", "\(path) shrank while being packed") }
            let written = buffer.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, n) }
            guard written == n else { throw TarError.libarchive("archive-pack", "packing \(path)", archive) }
            remaining -= Int64(n)
        }
    }
}
