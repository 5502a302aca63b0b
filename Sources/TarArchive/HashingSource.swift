import Crypto
import Foundation

/// The decompressed byte stream of a file (ISA-L for gzip, else libarchive's "raw" format plus filters),
/// hashed as it is consumed.
/// A producer thread decompresses and hashes into a small bounded set of buffers while the tar parser
/// reads them through a libarchive client callback, so decompression overlaps parsing and writing.
final class HashingSource {
    static let blockCount = 6
    static let blockSize = 1 << 20

    private let producer: Producer
    private var thread: pthread_t?
    private var handedOut: UnsafeMutableRawPointer?
    private var ended = false
    let label: String

    /// Opens the stream on the calling thread (so a bad header throws here), then starts the producer.
    /// gzip goes through `inflater` (ISA-L when built in), anything else through libarchive's filters.
    /// `progress` is called on the producer thread with the compressed bytes read so far.
    init(
        fd: Int32, compression: TarCompression, label: String, inflater: GzipInflater = .preferred,
        progress: (@Sendable (Int64) -> Void)?
    ) throws(TarError) {
        self.label = label
        let decoder: any StreamDecoder
        #if canImport(CISAL)
        if compression != .none && inflater == .isal && GzipInflater.startsWithGzipHeader(fd: fd) {
            decoder = ISALGzipDecoder(fd: fd, label: label)
        } else {
            decoder = try LibarchiveDecoder(fd: fd, compression: compression, label: label)
        }
        #else
        decoder = try LibarchiveDecoder(fd: fd, compression: compression, label: label)
        #endif
        producer = Producer(
            decoder: decoder, progress: progress,
            pipe: BlockPipe(count: Self.blockCount, capacity: Self.blockSize))
        var id = pthread_t()
        let context = Unmanaged.passRetained(producer).toOpaque()
        guard
            pthread_create(
                &id, nil,
                { context in
                    guard let context else { return nil }
                    Unmanaged<Producer>.fromOpaque(context).takeRetainedValue().run()
                    return nil
                }, context) == 0
        else {
            Unmanaged<Producer>.fromOpaque(context).release()
            throw TarError.posix("archive-read", "\(label): cannot start the decompression thread", errno: errno)
        }
        thread = id
    }

    deinit { stop() }

    /// Stops and joins the producer; afterwards its totals are final. Safe to call more than once.
    func stop() {
        guard let id = thread else { return }
        producer.pipe.cancel()
        pthread_join(id, nil)
        thread = nil
    }

    /// The next block of decompressed bytes (empty at the end). The previous block is given back first,
    /// so a block stays valid until the next call, as libarchive's read callback requires.
    func nextBlock() throws(TarError) -> UnsafeRawBufferPointer {
        if let buffer = handedOut {
            producer.pipe.giveBack(buffer)
            handedOut = nil
        }
        if ended { return UnsafeRawBufferPointer(start: nil, count: 0) }
        guard let block = try producer.pipe.pop() else {
            ended = true
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        handedOut = block.base
        return UnsafeRawBufferPointer(start: block.base, count: block.count)
    }

    /// Reads whatever the tar parser left (trailing padding) so the digest covers the whole stream.
    func drain() throws(TarError) -> StreamDigest {
        while try nextBlock().count > 0 {}
        stop()
        let hex = hexString(producer.hasher.finalize())
        return StreamDigest(digest: "sha256:" + hex, size: producer.size)
    }

    /// Set when the tar parser's callback failed, so the parser's generic error can be replaced.
    var callbackError: TarError?
}

/// The decompressing thread's side: owns the decoder while it runs; its totals are read after the join.
/// No lock (`@unchecked`): its state changes hands once, ordered by the join, so a `Mutex` would guard nothing.
private final class Producer: @unchecked Sendable {
    let decoder: any StreamDecoder
    let pipe: BlockPipe
    let progress: (@Sendable (Int64) -> Void)?
    var hasher = SHA256()
    var size: Int64 = 0

    init(decoder: any StreamDecoder, progress: (@Sendable (Int64) -> Void)?, pipe: BlockPipe) {
        self.decoder = decoder
        self.progress = progress
        self.pipe = pipe
    }

    func run() {
        while let buffer = pipe.takeFree() {
            var count = 0
            var atEnd = false
            do {
                while count < pipe.capacity {
                    let n = try decoder.read(into: buffer + count, capacity: pipe.capacity - count)
                    if n == 0 {
                        atEnd = true
                        break
                    }
                    count += n
                }
            } catch {
                pipe.giveBack(buffer)
                return pipe.finish(error)
            }
            if count > 0 {
                hasher.update(bufferPointer: UnsafeRawBufferPointer(start: buffer, count: count))
                size += Int64(count)
                pipe.push(BlockPipe.Block(base: buffer, count: count))
            } else {
                pipe.giveBack(buffer)
            }
            progress?(decoder.compressedBytes)
            if atEnd { return pipe.finish(nil) }
        }
    }
}
