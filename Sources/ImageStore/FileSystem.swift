import Crypto
import Foundation

/// Small POSIX helpers: atomic writes, exclusive flock, hashing files.
enum FileSystem {
    /// Writes `data` to `path` through a temp file in the same directory: write, fsync, rename, fsync dir.
    static func atomicWrite(_ data: Data, to path: String) throws(ImageStoreError) {
        let temp = path + ".tmp-\(getpid())-\(UUID().uuidString)"
        try writeSynced(data, to: temp)
        guard rename(temp, path) == 0 else {
            let err = errno
            unlink(temp)
            throw .posix("cannot replace \(path)", errno: err)
        }
        syncDirectory((path as NSString).deletingLastPathComponent)
    }

    static func writeSynced(_ data: Data, to path: String) throws(ImageStoreError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .posix("cannot create \(path)", errno: errno) }
        defer { close(fd) }
        let ok = data.withUnsafeBytes { bytes -> Bool in
            var done = 0
            while done < bytes.count {
                let n = write(fd, bytes.baseAddress.map { $0 + done }, bytes.count - done)
                if n < 0 { if errno == EINTR { continue }; return false }
                done += n
            }
            return true
        }
        guard ok, fsync(fd) == 0 else { throw .posix("cannot write \(path)", errno: errno) }
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// Runs `body` holding an exclusive flock on `path` (threads and processes alike, one open per call).
    static func withLock<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ImageStoreError.posix("cannot open lock \(path)", errno: errno) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw ImageStoreError.posix("cannot lock \(path)", errno: errno) }
        }
        defer { flock(fd, LOCK_UN) }
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
        return (hex(hasher.finalize()), size)
    }

    static func sha256Hex(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
