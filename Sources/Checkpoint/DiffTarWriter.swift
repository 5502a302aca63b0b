import BerthSystem
import CArchive
import Crypto
import TarArchive
import Foundation

/// Writes diff entries as a plain tar (PAX restricted): real modes, numeric ownership, mtimes (whole
/// seconds), xattrs except overlay's own, hard links within the diff, devices and FIFOs. No names,
/// atimes or ctimes, so the same files give the same bytes.
enum DiffTarWriter {
    /// Writes `items` (files under `root`) to `output`; returns the tar's `sha256:` digest (the DiffID).
    static func write(_ items: [DiffItem], root: String, to output: String) throws -> String {
        ArchiveLocale.ensureUTF8()
        guard let archive = archive_write_new() else {
            throw CheckpointError("checkpoint-tar", "cannot create tar writer: \(ArchiveLibrary.constructorFailure)")
        }
        defer { archive_write_free(archive) }
        archive_write_set_format_pax_restricted(archive)
        archive_write_add_filter_none(archive)
        guard archive_write_open_filename(archive, output) == ARCHIVE_OK else { throw failure("cannot create \(output)", archive) }
        var files = DiskEntryWriter(times: .file, keepAttribute: { !$0.hasPrefix("trusted.overlay.") })
        for item in items {
            switch item.kind {
            case .whiteout(let uid, let gid, let mtime):
                try writeMarker(item.tarName, uid: uid, gid: gid, mtime: mtime, into: archive)
            case .opaque:
                let st = try RWDiff.lstatOrThrow(root + "/" + item.relative)
                try writeMarker(item.tarName, uid: st.st_uid, gid: st.st_gid, mtime: Int(st.st_mtim.tv_sec), into: archive)
            case .path:
                do {
                    try files.write(root + "/" + item.relative, as: item.relative, into: archive)
                } catch {
                    throw CheckpointError("checkpoint-tar", "cannot write \"\(item.tarName)\"", underlying: error)
                }
            }
        }
        guard archive_write_close(archive) == ARCHIVE_OK else { throw failure("cannot finish \(output)", archive) }
        return try sha256(of: output)
    }

    /// A whiteout or opaque marker: an empty regular file with mode 0 and the owner and time given.
    static func writeMarker(_ name: String, uid: UInt32, gid: UInt32, mtime: Int, into archive: OpaquePointer) throws {
        guard let entry = archive_entry_new() else {
            throw CheckpointError("checkpoint-tar", "cannot create entry: \(ArchiveLibrary.constructorFailure)")
        }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, name)
        archive_entry_set_filetype(entry, 0o100000)
        archive_entry_set_perm(entry, 0)
        archive_entry_set_size(entry, 0)
        archive_entry_set_uid(entry, la_int64_t(uid))
        archive_entry_set_gid(entry, la_int64_t(gid))
        archive_entry_set_mtime(entry, time_t(mtime), 0)
        guard archive_write_header(archive, entry) == ARCHIVE_OK else { throw failure("cannot write \"\(name)\"", archive) }
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
        return hasher.finalize().digestString
    }

    static func failure(_ what: String, _ archive: OpaquePointer) -> CheckpointError {
        let detail = archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
        return CheckpointError("checkpoint-tar", "\(what): \(detail)")
    }
}
