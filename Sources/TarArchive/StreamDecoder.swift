import CArchive
import Foundation

/// A decompressed byte stream, read on the decompression thread only.
protocol StreamDecoder: AnyObject {
    /// Fills up to `capacity` bytes at `buffer`; returns how many (0 only at the end of the stream).
    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws(TarError) -> Int
    /// Compressed bytes read from the file so far.
    var compressedBytes: Int64 { get }
}

/// libarchive's "raw" format with its gzip (zlib) and zstd filters; plain tar when `compression` is `.none`.
final class LibarchiveDecoder: StreamDecoder {
    private let raw: OpaquePointer
    private let label: String
    private var ended: Bool

    /// Opens the stream and reads its first block, so a bad header throws here, on the calling thread.
    init(fd: Int32, compression: TarCompression, label: String) throws(TarError) {
        guard let raw = archive_read_new() else { throw TarError.cannotCreate("archive-read", "reader for \(label)") }
        archive_read_support_format_raw(raw)
        archive_read_support_format_empty(raw)
        if compression != .none {
            archive_read_support_filter_gzip(raw)
            archive_read_support_filter_zstd(raw)
        }
        guard archive_read_open_fd(raw, fd, 1 << 20) == ARCHIVE_OK else {
            let error = TarError.libarchive("archive-read", "\(label): cannot open", raw)
            archive_read_free(raw)
            throw error
        }
        var entry: OpaquePointer?
        let status = archive_read_next_header(raw, &entry)
        guard status == ARCHIVE_OK || status == ARCHIVE_EOF else {
            let error = TarError.libarchive("archive-read", "\(label): cannot decompress", raw)
            archive_read_free(raw)
            throw error
        }
        self.raw = raw
        self.label = label
        ended = status == ARCHIVE_EOF
    }

    deinit { archive_read_free(raw) }

    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws(TarError) -> Int {
        if ended { return 0 }
        let n = archive_read_data(raw, buffer, capacity)
        guard n >= 0 else { throw TarError.libarchive("archive-read", "\(label): decompression failed", raw) }
        if n == 0 { ended = true }
        return n
    }

    var compressedBytes: Int64 { archive_filter_bytes(raw, -1) }
}
