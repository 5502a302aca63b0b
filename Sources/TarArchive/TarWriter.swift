import CArchive
import Foundation

/// Writes a tar stream entry by entry (PAX restricted format), optionally gzip or zstd compressed,
/// hashing the bytes written. Used for archives Berth builds itself (exports, test layers).
public final class TarWriter {
    private let archive: OpaquePointer
    private let sink: HashingSink
    private let fd: Int32
    private let path: String
    private var closed = false

    /// Creates (or truncates) `path`. `.detect` is treated as `.none`.
    public init(path: String, compression: TarCompression = .none) throws(TarError) {
        ArchiveLocale.ensureUTF8()
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TarError.posix("archive-write", "cannot create \(path)", errno: errno) }
        guard let archive = archive_write_new() else {
            close(fd)
            throw TarError.cannotCreate("archive-write", "tar writer")
        }
        self.fd = fd
        self.archive = archive
        self.path = path
        sink = HashingSink(fd: fd)
        archive_write_set_format_pax_restricted(archive)
        switch compression {
        case .gzip:
            archive_write_add_filter_gzip(archive)
            archive_write_set_options(archive, "gzip:!timestamp")
        case .zstd: archive_write_add_filter_zstd(archive)
        case .none, .detect: archive_write_add_filter_none(archive)
        }
        if compression == .gzip || compression == .zstd {
            // No zero padding after the compressed stream (it would be read as a broken zstd frame).
            archive_write_set_bytes_in_last_block(archive, 1)
        }
        guard sink.open(archive) == ARCHIVE_OK else {
            throw TarError.libarchive("archive-write", "cannot open \(path)", archive)
        }
    }

    deinit {
        archive_write_free(archive)
        close(fd)
    }

    /// Adds one entry; `data` only for regular files, `link` for symlinks and hard links.
    public func add(
        _ name: String, kind: TarEntry.Kind, mode: UInt32 = 0o644, uid: Int64 = 0, gid: Int64 = 0,
        data: Data = Data(), link: String? = nil, mtime: Int = 0
    ) throws(TarError) {
        guard let entry = archive_entry_new() else { throw TarError.cannotCreate("archive-write", "entry") }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, name)
        archive_entry_set_perm(entry, mode_t(mode))
        archive_entry_set_uid(entry, uid)
        archive_entry_set_gid(entry, gid)
        archive_entry_set_mtime(entry, time_t(mtime), 0)
        switch kind {
        case .regular:
            archive_entry_set_filetype(entry, EntryType.regular)
            archive_entry_set_size(entry, la_int64_t(data.count))
        case .directory: archive_entry_set_filetype(entry, EntryType.directory)
        case .symlink:
            archive_entry_set_filetype(entry, EntryType.symlink)
            archive_entry_set_symlink(entry, link ?? "")
        case .hardlink:
            archive_entry_set_filetype(entry, EntryType.regular)
            archive_entry_set_hardlink(entry, link ?? "")
        case .characterDevice: archive_entry_set_filetype(entry, EntryType.characterDevice)
        case .blockDevice: archive_entry_set_filetype(entry, EntryType.blockDevice)
        case .fifo: archive_entry_set_filetype(entry, EntryType.fifo)
        case .socket, .unknown:
            throw TarError("archive-write", "\(path): cannot write \(kind.rawValue) entry \"\(name)\"")
        }
        guard archive_write_header(archive, entry) == ARCHIVE_OK else {
            throw TarError.libarchive("archive-write", "\(path): header for \"\(name)\"", archive)
        }
        if kind == .regular && !data.isEmpty {
            let written = data.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) }
            guard written == data.count else {
                throw TarError.libarchive("archive-write", "\(path): data for \"\(name)\"", archive)
            }
        }
    }

    /// Adds a regular file whose contents are streamed from `source`.
    public func addFile(_ name: String, from source: String, mode: UInt32 = 0o644) throws(TarError) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw TarError.posix("archive-write", "cannot open \(source)", errno: errno) }
        defer { close(input) }
        var st = stat()
        guard fstat(input, &st) == 0 else { throw TarError.posix("archive-write", "cannot stat \(source)", errno: errno) }
        guard let entry = archive_entry_new() else { throw TarError.cannotCreate("archive-write", "entry") }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, name)
        archive_entry_set_filetype(entry, EntryType.regular)
        archive_entry_set_perm(entry, mode_t(mode))
        archive_entry_set_mtime(entry, 0, 0)
        archive_entry_set_size(entry, la_int64_t(st.st_size))
        guard archive_write_header(archive, entry) == ARCHIVE_OK else {
            throw TarError.libarchive("archive-write", "\(path): header for \"\(name)\"", archive)
        }
        try DiskEntryWriter.copyFile(source, size: Int64(st.st_size), into: archive)
    }

    /// Finishes the archive, fsyncs it and returns the digest and size of the bytes written.
    @discardableResult
    public func finish() throws(TarError) -> StreamDigest {
        guard !closed else { return sink.result() }
        closed = true
        guard archive_write_close(archive) == ARCHIVE_OK else {
            throw TarError.libarchive("archive-write", "finishing \(path)", archive)
        }
        guard fsync(fd) == 0 else { throw TarError.posix("archive-write", "fsync \(path)", errno: errno) }
        return sink.result()
    }
}
