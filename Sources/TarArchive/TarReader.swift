import CArchive
import Foundation

/// Streams the entries of a tar file, decompressing gzip/zstd as asked (on a thread of its own), while
/// hashing the uncompressed tar stream with SHA-256 (the layer's DiffID). Use from one thread.
public final class TarReader {
    let archive: OpaquePointer
    private let source: HashingSource
    private let fd: Int32
    private var atEnd = false
    /// The file name, for messages.
    public let label: String

    /// Opens `path`; `compression` follows the media type (`.none` is never sniffed). `progress`, if
    /// given, is called from the decompression thread with the compressed bytes read so far.
    public convenience init(
        path: String, compression: TarCompression,
        progress: (@Sendable (Int64) -> Void)? = nil
    ) throws(TarError) {
        try self.init(path: path, compression: compression, inflater: .preferred, progress: progress)
    }

    /// As above, with gzip inflated by `inflater` (tests compare the inflaters built in).
    init(
        path: String, compression: TarCompression, inflater: GzipInflater,
        progress: (@Sendable (Int64) -> Void)?
    ) throws(TarError) {
        ArchiveLocale.ensureUTF8()
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TarError.posix("archive-open", "cannot open \(path)", errno: errno) }
        self.fd = fd
        self.label = path
        do {
            source = try HashingSource(
                fd: fd, compression: compression, label: path, inflater: inflater,
                progress: progress)
        } catch {
            close(fd)
            throw error
        }
        guard let archive = archive_read_new() else {
            source.stop()
            close(fd)
            throw TarError.cannotCreate("archive-read", "tar reader for \(path)")
        }
        self.archive = archive
        archive_read_support_format_tar(archive)
        archive_read_support_format_empty(archive)
        let context = Unmanaged.passUnretained(source).toOpaque()
        let status = archive_read_open(
            archive, context, nil,
            { _, context, buffer in
                guard let context, let buffer else { return -1 }
                let source = Unmanaged<HashingSource>.fromOpaque(context).takeUnretainedValue()
                do {
                    let block = try source.nextBlock()
                    buffer.pointee = block.baseAddress
                    return la_ssize_t(block.count)
                } catch {
                    source.callbackError = error as? TarError
                    return -1
                }
            }, nil)
        guard status == ARCHIVE_OK else {
            // Every property is set, so deinit frees the reader and closes the file.
            throw source.callbackError ?? TarError.libarchive("archive-read", "\(path): not a tar stream", archive)
        }
    }

    deinit {
        archive_read_free(archive)
        source.stop()  // the decompression thread reads `fd` until it is joined
        close(fd)
    }

    /// The next entry header, or nil at the end of the archive.
    public func next() throws(TarError) -> TarEntry? {
        guard let entry = try nextRaw() else { return nil }
        return TarEntry(entry)
    }

    func nextRaw() throws(TarError) -> OpaquePointer? {
        if atEnd { return nil }
        var entry: OpaquePointer?
        let status = archive_read_next_header(archive, &entry)
        if status == ARCHIVE_EOF {
            atEnd = true
            return nil
        }
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
            throw source.callbackError ?? TarError.libarchive("archive-read", "\(label): bad tar header", archive)
        }
        return entry
    }

    /// The current entry's data, refusing more than `limit` bytes (for JSON files inside archives).
    public func readData(limit: Int) throws(TarError) -> Data {
        var data = Data()
        try forEachBlock { (block) throws(TarError) in
            guard data.count + block.count <= limit else {
                throw TarError("archive-entry-too-large", "\(label): entry is larger than \(limit) bytes")
            }
            data.append(contentsOf: block)
        }
        return data
    }

    /// Writes the current entry's data to an open file descriptor.
    public func copyData(to outFD: Int32) throws(TarError) {
        try forEachBlock { (block) throws(TarError) in
            var done = 0
            while done < block.count {
                let n = write(outFD, block.baseAddress.map { $0 + done }, block.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw TarError.posix("archive-write", "\(label): write failed", errno: errno)
                }
                done += n
            }
        }
    }

    func forEachBlock(_ body: (UnsafeRawBufferPointer) throws(TarError) -> Void) throws(TarError) {
        while true {
            var buffer: UnsafeRawPointer?
            var length = 0
            var offset: la_int64_t = 0
            let status = archive_read_data_block(archive, &buffer, &length, &offset)
            if status == ARCHIVE_EOF { return }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN else {
                throw source.callbackError ?? TarError.libarchive("archive-read", "\(label): bad entry data", archive)
            }
            try body(UnsafeRawBufferPointer(start: buffer, count: length))
        }
    }

    /// Skips the remaining entries and returns the digest and size of the whole uncompressed stream.
    public func finish() throws(TarError) -> StreamDigest {
        while try nextRaw() != nil {}
        return try source.drain()
    }
}
