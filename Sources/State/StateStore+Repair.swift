import BerthSystem
import Foundation
import GRDB

extension StateStore {
    /// What is wrong with the database at `path` (SQLite's integrity check, or why it cannot be opened),
    /// or nil when it is sound. A missing database is sound: it is created on first use.
    public static func problem(at path: String) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            let result = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            guard result == ["ok"] else { return result.prefix(3).joined(separator: "; ") }
            _ = try queue.read { db in try Int.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'revision'") }
            return nil
        } catch {
            return SystemErrorText.of(error)
        }
    }

    /// Moves the database at `path` (with its `-wal` and `-shm` files) aside as
    /// `<path>.corrupt-<UTC time>`, never deleting it; returns the new path. The next command starts a new one.
    public static func moveAside(path: String, now: Date = Date()) throws -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withYear, .withMonth, .withDay, .withTime, .withTimeZone]
        let stamp = formatter.string(from: now).replacingOccurrences(of: ":", with: "")
        let target = "\(path).corrupt-\(stamp)"
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            guard rename(path + suffix, target + suffix) == 0 else {
                throw StateError(
                    "state-move-failed",
                    "cannot move \(path + suffix) to \(target + suffix): \(SystemErrorText.errno)")
            }
        }
        return target
    }
}
