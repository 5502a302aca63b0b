import BerthSystem
import Foundation

/// An exclusive `flock` on `<state root>/locks/<project>.lock`: serializes applies of one project,
/// while different projects proceed in parallel. Released on `unlock()` or when the process ends.
public final class ProjectLock {
    private let lock: FileLock

    /// Blocks until the lock of `project` under `root` is held; the name is validated first.
    public init(root: StateRoot, project: String) throws {
        let path = try root.lockFile(project: project)
        try root.guarded(root.locks, "create")
        try? DirectoryMaker.create(root.locks, mode: 0o700)
        do {
            lock = try FileLock(path: path)
        } catch {
            throw StateError("lock-failed", error.description)
        }
    }

    /// Runs `body` holding the project's lock.
    public static func holding<T>(root: StateRoot, project: String, _ body: () throws -> T) throws -> T {
        let lock = try ProjectLock(root: root, project: project)
        defer { lock.unlock() }
        return try body()
    }

    public func unlock() {
        lock.unlock()
    }
}
