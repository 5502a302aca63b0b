import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a bundle file so that a crash of Berth leaves the old content or the new, never a mix: temp file
/// in the same directory, then rename. No fsync: after a power loss no container runs, and apply rebuilds
/// every bundle it starts (and an fsync here costs tens of milliseconds on a busy disk).
enum AtomicFile {
    static func write(_ data: Data, to path: String, mode: mode_t = 0o644) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temp = directory + "/." + (path as NSString).lastPathComponent + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw posixError("cannot create \(temp)") }
        var ok = true
        data.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, base + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    ok = false
                    return
                }
                offset += n
            }
        }
        if !ok {
            let error = posixError("cannot write \(temp)")
            close(fd)
            unlink(temp)
            throw error
        }
        close(fd)
        guard rename(temp, path) == 0 else {
            let error = posixError("cannot rename \(temp) to \(path)")
            unlink(temp)
            throw error
        }
    }

    static func posixError(_ message: String) -> ExecutorError {
        ExecutorError(code: "io-failed", message: "\(message): \(String(cString: strerror(errno)))")
    }
}
