import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<state root>/locks/<project>.lock`: serializes applies of one project,
/// while different projects proceed in parallel. Released on `unlock()` or when the process ends.
public final class ProjectLock {
    private var fd: Int32

    /// Blocks until the lock is held.
    public init(directory: String, project: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + project + ".lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StateError(code: "lock-failed", message: "cannot open lock file \(path): \(String(cString: strerror(errno)))")
        }
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let message = String(cString: strerror(errno))
            close(fd)
            throw StateError(code: "lock-failed", message: "cannot lock \(path): \(message)")
        }
    }

    /// Runs `body` holding the project's lock.
    public static func holding<T>(directory: String, project: String, _ body: () throws -> T) throws -> T {
        let lock = try ProjectLock(directory: directory, project: project)
        defer { lock.unlock() }
        return try body()
    }

    public func unlock() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { unlock() }
}
