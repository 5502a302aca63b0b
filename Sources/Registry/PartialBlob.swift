import Crypto
import Foundation

/// The partial ingest file of one blob, held under an exclusive flock while a download appends to it, so two
/// pulls of the same blob (threads or processes) take turns and the second finds the blob committed.
final class PartialBlob {
    let path: String
    private let fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// Opens (creating) and locks `path`; waits while another download holds it.
    static func acquire(_ path: String) async throws -> PartialBlob {
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw failure("cannot open \(path)") }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let err = errno
                close(fd)
                guard err == EWOULDBLOCK || err == EINTR else {
                    throw RegistryError("blob-write", "cannot lock \(path): \(String(cString: strerror(err)))")
                }
                try await Task.sleep(for: .milliseconds(100))
                continue
            }
            // The holder before us may have committed (renamed) or removed the file: lock the current one.
            var held = stat()
            var current = stat()
            if fstat(fd, &held) == 0, stat(path, &current) == 0, held.st_ino == current.st_ino,
                held.st_dev == current.st_dev
            {
                return PartialBlob(path: path, fd: fd)
            }
            close(fd)
        }
    }

    /// Bytes already on disk.
    func size() throws -> Int64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Self.failure("cannot stat \(path)") }
        return Int64(st.st_size)
    }

    /// The SHA-256 state of the first `length` bytes, recomputed from disk so a resume never trusts memory.
    func hashPrefix(_ length: Int64) throws -> SHA256 {
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: Int64 = 0
        while offset < length {
            let wanted = Int(min(Int64(buffer.count), length - offset))
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, wanted, off_t(offset)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw Self.failure("cannot read \(path)") }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            offset += Int64(n)
        }
        return hasher
    }

    /// Drops every byte (the registry ignored the range, or the bytes did not verify).
    func truncate() throws {
        guard ftruncate(fd, 0) == 0 else { throw Self.failure("cannot truncate \(path)") }
    }

    /// Writes `bytes` at `offset`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress.map { $0 + done }, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.failure("cannot write \(path)")
            }
            done += n
        }
    }

    func sync() throws {
        guard fsync(fd) == 0 else { throw Self.failure("cannot write \(path)") }
    }

    /// Removes the file (still locked by this handle, so no other download adopts the removed copy).
    func remove() {
        unlink(path)
    }

    private static func failure(_ what: String) -> RegistryError {
        RegistryError("blob-write", "\(what): \(String(cString: strerror(errno)))")
    }
}
