import CArchive
import Crypto

/// The decompressed byte stream of a file (libarchive "raw" format plus filters), hashed as it is consumed.
/// The tar parser reads from this through a libarchive client callback.
final class HashingSource {
    private let raw: OpaquePointer
    private var hasher = SHA256()
    private(set) var size: Int64 = 0
    private var finished = false
    let label: String

    init(fd: Int32, compression: TarCompression, label: String) throws(TarError) {
        guard let raw = archive_read_new() else { throw TarError(code: "archive-read", "\(label): cannot create reader") }
        self.raw = raw
        self.label = label
        archive_read_support_format_raw(raw)
        archive_read_support_format_empty(raw)
        if compression != .none {
            archive_read_support_filter_gzip(raw)
            archive_read_support_filter_zstd(raw)
        }
        guard archive_read_open_fd(raw, fd, 1 << 20) == ARCHIVE_OK else {
            throw TarError.libarchive("archive-read", "\(label): cannot open", raw)  // deinit frees raw
        }
        var entry: OpaquePointer?
        let status = archive_read_next_header(raw, &entry)
        if status == ARCHIVE_EOF {
            finished = true
        } else if status != ARCHIVE_OK {
            throw TarError.libarchive("archive-read", "\(label): cannot decompress", raw)
        }
    }

    deinit { archive_read_free(raw) }

    /// The next block of decompressed bytes (empty at the end), hashed before it is handed out.
    func nextBlock() throws(TarError) -> UnsafeRawBufferPointer {
        if finished { return UnsafeRawBufferPointer(start: nil, count: 0) }
        var buffer: UnsafeRawPointer?
        var length = 0
        var offset: la_int64_t = 0
        let status = archive_read_data_block(raw, &buffer, &length, &offset)
        if status == ARCHIVE_EOF {
            finished = true
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN else {
            throw TarError.libarchive("archive-read", "\(label): decompression failed", raw)
        }
        let block = UnsafeRawBufferPointer(start: buffer, count: length)
        hasher.update(bufferPointer: block)
        size += Int64(length)
        return block
    }

    /// Reads whatever the tar parser left (trailing padding) so the digest covers the whole stream.
    func drain() throws(TarError) -> StreamDigest {
        while try nextBlock().count > 0 {}
        let hex = hexString(hasher.finalize())
        return StreamDigest(digest: "sha256:" + hex, size: size)
    }

    /// Set when the tar parser's callback failed, so the parser's generic error can be replaced.
    var callbackError: TarError?
}
