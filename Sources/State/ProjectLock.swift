import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<state root>/locks/<project>.lock`: serializes applies of one project,
/// while different projects proceed in parallel. Released on `unlock()` or when the process ends.
public final class ProjectLock {
    private var fd: Int32

    /// Blocks until the lock of `project` under `root` is held; the name is validated first.
    public init(root: StateRoot, project: String) throws {
        let path = try root.lockFile(project: project)
        try root.guarded(root.locks, "create")
        try? FileManager.default.createDirectory(atPath: root.locks, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
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
    public static func holding<T>(root: StateRoot, project: String, _ body: () throws -> T) throws -> T {
        let lock = try ProjectLock(root: root, project: project)
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
