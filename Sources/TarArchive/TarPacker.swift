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
        guard let archive = archive_write_new() else { throw TarError.cannotCreate("archive-write", "tar writer") }
        let sink = HashingSink(fd: fd)
        // Freeing the archive flushes through the sink's callback: the sink must outlive it, even on a throw.
        defer { withExtendedLifetime(sink) { _ = archive_write_free(archive) } }
        archive_write_set_format_pax_restricted(archive)
        archive_write_add_filter_none(archive)
        guard sink.open(archive) == ARCHIVE_OK else {
            throw TarError.libarchive("archive-write", "cannot open \(output)", archive)
        }
        // Sockets and unknown types are not packed (tar cannot carry sockets).
        var writer = DiskEntryWriter(times: .fixed(fixedModificationTime))
        for name in names {
            try writer.write(directory + "/" + name, as: name, into: archive)
        }
        guard archive_write_close(archive) == ARCHIVE_OK else {
            throw sink.failure != 0
                ? TarError.posix("archive-write", "writing \(output)", errno: sink.failure)
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
    public static func compress(
        file input: String, to output: String,
        compression: TarCompression
    ) throws(TarError) -> StreamDigest {
        let inFD = open(input, O_RDONLY | O_CLOEXEC)
        guard inFD >= 0 else { throw TarError.posix("archive-read", "cannot open \(input)", errno: errno) }
        defer { close(inFD) }
        let outFD = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard outFD >= 0 else { throw TarError.posix("archive-write", "cannot create \(output)", errno: errno) }
        defer { close(outFD) }
        guard let archive = archive_write_new() else { throw TarError.cannotCreate("archive-write", "gzip writer") }
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
        guard let entry = archive_entry_new() else { throw TarError.cannotCreate("archive-write", "entry") }
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
                throw TarError("archive-pack", "cannot list \(full)", underlying: error)
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
}
