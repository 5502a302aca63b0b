import BerthSystem
import Crypto
import Foundation

/// The store's file helpers: BerthSystem's atomic writes and locks with the store's errors, hashing files.
enum FileSystem {
    /// Writes `data` to `path` atomically and durably (`AtomicFile`'s `.durable` policy).
    static func atomicWrite(_ data: Data, to path: String) throws(ImageStoreError) {
        do { try AtomicFile.write(data, to: path) } catch { throw .posix(error.what, errno: error.errno) }
    }

    static func writeSynced(_ data: Data, to path: String) throws(ImageStoreError) {
        do { try AtomicFile.writeSynced(data, to: path) } catch { throw .posix(error.what, errno: error.errno) }
    }

    static func syncDirectory(_ path: String) {
        AtomicFile.syncDirectory(path)
    }

    /// Runs `body` holding an exclusive flock on `path` (threads and processes alike, one open per call).
    static func withLock<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let lock: FileLock
        do { lock = try FileLock(path: path) } catch { throw ImageStoreError.posix(error.what, errno: error.errno) }
        defer { lock.unlock() }
        return try body()
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    static func makeDirectory(_ path: String) throws(ImageStoreError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create \(path)", error)
        }
    }

    /// SHA-256 and size of a file's bytes.
    static func hashFile(_ path: String) throws(ImageStoreError) -> (hex: String, size: Int64) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .posix("cannot open \(path)", errno: errno) }
        defer { close(fd) }
        var hasher = SHA256()
        var size: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw .posix("cannot read \(path)", errno: errno) }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            size += Int64(n)
        }
        return (hasher.finalize().hex, size)
    }

    static func sha256Hex(_ data: Data) -> String { SHA256Hex.of(data) }
}
