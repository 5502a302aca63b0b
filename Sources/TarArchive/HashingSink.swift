import CArchive
import Crypto
import Foundation

/// A file descriptor that libarchive writes into through a client callback, hashed on the way.
final class HashingSink {
    let fd: Int32
    private var hasher = SHA256()
    private(set) var size: Int64 = 0
    var failure: Int32 = 0

    init(fd: Int32) { self.fd = fd }

    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        hasher.update(bufferPointer: bytes)
        var done = 0
        while done < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress.map { $0 + done }, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                return false
            }
            done += n
        }
        size += Int64(bytes.count)
        return true
    }

    func result() -> StreamDigest {
        StreamDigest(digest: "sha256:" + hexString(hasher.finalize()), size: size)
    }

    /// Opens `archive` for writing into this sink.
    func open(_ archive: OpaquePointer) -> Int32 {
        let context = Unmanaged.passUnretained(self).toOpaque()
        return archive_write_open(
            archive, context, nil,
            { _, context, buffer, length in
                guard let context else { return -1 }
                let sink = Unmanaged<HashingSink>.fromOpaque(context).takeUnretainedValue()
                let ok = sink.write(UnsafeRawBufferPointer(start: buffer, count: length))
                return ok ? la_ssize_t(length) : -1
            }, nil)
    }
}

func hexString<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
}
