import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on a file, created if missing. It excludes other processes and, since each lock
/// opens the file anew, other threads of this process too. Released by `unlock()`, on deinit, or when
/// the process ends (so a crash never leaves a stale lock).
public final class FileLock {
    private var fd: Int32

    /// Blocks until the lock is held (retrying on EINTR).
    public init(path: String) throws(SystemCallError) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemCallError("cannot open lock \(path)", errno: errno) }
        while flock(fd, LOCK_EX) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(fd)
            fd = -1
            throw SystemCallError("cannot lock \(path)", errno: code)
        }
    }

    /// Releases the lock; later calls do nothing.
    public func unlock() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { unlock() }
}
