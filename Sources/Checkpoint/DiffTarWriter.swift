import CArchive
import Crypto
import TarArchive
import Foundation

/// Writes diff entries as a plain tar (PAX restricted): real modes, numeric ownership, mtimes (whole
/// seconds), xattrs except overlay's own, hard links within the diff, devices and FIFOs. No names,
/// atimes or ctimes, so the same files give the same bytes.
enum DiffTarWriter {
    struct Identity: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// Writes `items` (files under `root`) to `output`; returns the tar's `sha256:` digest (the DiffID).
    static func write(_ items: [DiffItem], root: String, to output: String) throws -> String {
        ArchiveLocale.ensureUTF8()
        guard let archive = archive_write_new() else { throw CheckpointError("checkpoint-tar", "cannot create tar writer") }
        defer { archive_write_free(archive) }
        archive_write_set_format_pax_restricted(archive)
        archive_write_add_filter_none(archive)
        guard archive_write_open_filename(archive, output) == ARCHIVE_OK else { throw failure("cannot create \(output)", archive) }
        var links: [Identity: String] = [:]
        for item in items {
            guard let entry = archive_entry_new() else { throw CheckpointError("checkpoint-tar", "cannot create entry") }
            defer { archive_entry_free(entry) }
            var dataFile: String?
            switch item.kind {
            case .whiteout(let uid, let gid, let mtime):
                setMarker(entry, name: item.tarName, uid: uid, gid: gid, mtime: mtime)
            case .opaque:
                let st = try RWDiff.lstatOrThrow(root + "/" + item.relative)
                setMarker(entry, name: item.tarName, uid: st.st_uid, gid: st.st_gid, mtime: Int(st.st_mtim.tv_sec))
            case .path:
                guard let data = try fill(entry, root: root, relative: item.relative, links: &links) else { continue }
                dataFile = data.isEmpty ? nil : data
            }
            guard archive_write_header(archive, entry) == ARCHIVE_OK else {
                throw failure("cannot write \"\(item.tarName)\"", archive)
            }
            if let dataFile { try copy(dataFile, size: archive_entry_size(entry), into: archive) }
        }
        guard archive_write_close(archive) == ARCHIVE_OK else { throw failure("cannot finish \(output)", archive) }
        return try sha256(of: output)
    }

    static func setMarker(_ entry: OpaquePointer, name: String, uid: UInt32, gid: UInt32, mtime: Int) {
        archive_entry_set_pathname(entry, name)
        archive_entry_set_filetype(entry, 0o100000)
        archive_entry_set_perm(entry, 0)
        archive_entry_set_size(entry, 0)
        archive_entry_set_uid(entry, la_int64_t(uid))
        archive_entry_set_gid(entry, la_int64_t(gid))
        archive_entry_set_mtime(entry, time_t(mtime), 0)
    }

    /// Fills a header from the file; returns the path to copy data from ("" for none), nil to skip (sockets).
    static func fill(_ entry: OpaquePointer, root: String, relative: String,
                     links: inout [Identity: String]) throws -> String? {
        let full = root + "/" + relative
        let st = try RWDiff.lstatOrThrow(full)
        let type = st.st_mode & S_IFMT
        archive_entry_set_pathname(entry, type == S_IFDIR ? relative + "/" : relative)
        archive_entry_set_perm(entry, st.st_mode & 0o7777)
        archive_entry_set_uid(entry, la_int64_t(st.st_uid))
        archive_entry_set_gid(entry, la_int64_t(st.st_gid))
        archive_entry_set_mtime(entry, time_t(st.st_mtim.tv_sec), 0)
        var data = ""
        switch type {
        case S_IFDIR: archive_entry_set_filetype(entry, 0o040000)
        case S_IFLNK:
            archive_entry_set_filetype(entry, 0o120000)
            do {
                archive_entry_set_symlink(entry, try FileManager.default.destinationOfSymbolicLink(atPath: full))
            } catch {
                throw CheckpointError("checkpoint-io", "cannot read link \(full)", underlying: error)
            }
        case S_IFREG:
            archive_entry_set_filetype(entry, 0o100000)
            let identity = Identity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
            if st.st_nlink > 1, let first = links[identity] {
                archive_entry_set_hardlink(entry, first)
            } else {
                if st.st_nlink > 1 { links[identity] = relative }
                archive_entry_set_size(entry, la_int64_t(st.st_size))
                data = full
            }
        case S_IFCHR, S_IFBLK:
            archive_entry_set_filetype(entry, type == S_IFCHR ? 0o020000 : 0o060000)
            let dev = UInt64(st.st_rdev)
            archive_entry_set_rdevmajor(entry, dev_t(((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))))
            archive_entry_set_rdevminor(entry, dev_t((dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))))
        case S_IFIFO: archive_entry_set_filetype(entry, 0o010000)
        default: return nil
        }
        try addXattrs(of: full, to: entry)
        return data
    }

    /// Extended attributes sorted by name, without `trusted.overlay.*` (overlay's own bookkeeping).
    static func addXattrs(of path: String, to entry: OpaquePointer) throws {
        let size = llistxattr(path, nil, 0)
        if size < 0 && (errno == ENOTSUP || errno == ENODATA) { return }
        guard size >= 0 else { throw CheckpointError.posix("cannot list xattrs of \(path)", errno: errno) }
        guard size > 0 else { return }
        var list = [CChar](repeating: 0, count: size)
        let got = llistxattr(path, &list, list.count)
        guard got >= 0 else { throw CheckpointError.posix("cannot list xattrs of \(path)", errno: errno) }
        let names = list[0..<got].split(separator: 0).map { String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        for name in names.sorted() where !name.hasPrefix("trusted.overlay.") {
            let length = lgetxattr(path, name, nil, 0)
            guard length >= 0 else { throw CheckpointError.posix("cannot read xattr \(name) of \(path)", errno: errno) }
            var value = [UInt8](repeating: 0, count: length)
            let read = lgetxattr(path, name, &value, value.count)
            guard read >= 0 else { throw CheckpointError.posix("cannot read xattr \(name) of \(path)", errno: errno) }
            archive_entry_xattr_add_entry(entry, name, value, read)
        }
    }

    static func copy(_ path: String, size: Int64, into archive: OpaquePointer) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CheckpointError.posix("cannot open \(path)", errno: errno) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var remaining = size
        while remaining > 0 {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, Int(remaining))) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CheckpointError.posix("cannot read \(path)", errno: errno)
            }
            guard n > 0 else { throw CheckpointError("checkpoint-io", "\(path) shrank while it was checkpointed") }
            let written = buffer.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, n) }
            guard written == n else { throw failure("cannot write \(path)", archive) }
            remaining -= Int64(n)
        }
    }

    static func sha256(of path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CheckpointError("checkpoint-io", "cannot open \(path)")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw CheckpointError("checkpoint-io", "cannot read \(path)", underlying: error)
            }
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
        }
        return "sha256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func failure(_ what: String, _ archive: OpaquePointer) -> CheckpointError {
        let detail = archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
        return CheckpointError("checkpoint-tar", "\(what): \(detail)")
    }
}
