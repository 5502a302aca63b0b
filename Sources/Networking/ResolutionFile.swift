import BerthSystem
import Foundation

/// Writes a container's `/etc/hosts` or `/etc/resolv.conf` under the state root.
public enum ResolutionFile {
    /// Writes `text` to `path` (checked to be inside `root`). The first time the file is created atomically;
    /// afterwards it is rewritten in place — same inode, so a bind mount of it into a running container sees
    /// the new text — by writing over it from the start and then truncating to the new length: a reader
    /// never finds the file empty (one reading during a shrink may see the old tail). Unchanged text is not
    /// written. A symlink at `path` is refused.
    public static func write(_ text: String, to path: String, inside root: String) throws {
        try PathGuard.check(path, inside: root, operation: "write")
        let data = Data(text.utf8)
        let fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            guard errno == ENOENT else { throw NetworkError.posix("cannot open \(path)", errno: errno) }
            do {
                try AtomicFile.write(data, to: path, mode: 0o644, durability: .crashSafe)
            } catch {
                throw NetworkError.posix(error)
            }
            return
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw NetworkError.invalidValue("name-resolution file", path, "it is not a regular file")
        }
        if Int(info.st_size) == data.count, readAll(fd, count: data.count) == data { return }
        let written = data.withUnsafeBytes { bytes -> Bool in
            var done = 0
            while done < bytes.count {
                let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                done += n
            }
            return true
        }
        guard written, ftruncate(fd, off_t(data.count)) == 0 else {
            throw NetworkError.posix("cannot rewrite \(path)", errno: errno)
        }
    }

    private static func readAll(_ fd: Int32, count: Int) -> Data {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(done)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            done += n
        }
        return Data(buffer[0..<done])
    }
}
