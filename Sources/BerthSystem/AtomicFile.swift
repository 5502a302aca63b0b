import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Replaces a file so that a reader, or a crash, sees the old content or the new, never a mix.
///
/// The policy: write a temp file in the same directory (created exclusively, with the final mode), rename it
/// over the target, and by default (`.durable`) fsync the file before and its directory after the rename, so
/// the new content also survives a power loss. `.crashSafe` skips both fsyncs: for files that are rebuilt
/// anyway after a reboot (bundles), where an fsync costs tens of milliseconds on a busy disk.
public enum AtomicFile {
    public enum Durability: Sendable {
        /// fsync the file, rename, fsync the directory: survives a crash of Berth and a power loss.
        case durable
        /// rename only: survives a crash of Berth; after a power loss the file may be old, new or empty.
        case crashSafe
    }

    /// Writes `data` to `path` by the policy above; the temp file is removed when a step fails.
    public static func write(
        _ data: Data, to path: String, mode: mode_t = 0o644,
        durability: Durability = .durable
    ) throws(SystemCallError) {
        let directory = (path as NSString).deletingLastPathComponent
        let temp =
            (directory.isEmpty ? "" : directory + "/") + "." + (path as NSString).lastPathComponent
            + ".tmp-\(getpid())-\(UUID().uuidString)"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SystemCallError("cannot create \(temp)", errno: errno) }
        var failure: SystemCallError?
        if !writeAll(fd, data) {
            failure = SystemCallError("cannot write \(temp)", errno: errno)
        } else if durability == .durable && fsync(fd) != 0 {
            failure = SystemCallError("cannot write \(temp)", errno: errno)
        }
        close(fd)
        if failure == nil && rename(temp, path) != 0 {
            failure = SystemCallError("cannot replace \(path)", errno: errno)
        }
        if let failure {
            unlink(temp)
            throw failure
        }
        if durability == .durable { syncDirectory(directory.isEmpty ? "." : directory) }
    }

    /// Writes all of `data` to `path` (created or truncated) and fsyncs it; not atomic: for temp files that
    /// are renamed into place later.
    public static func writeSynced(_ data: Data, to path: String, mode: mode_t = 0o644) throws(SystemCallError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SystemCallError("cannot create \(path)", errno: errno) }
        defer { close(fd) }
        guard writeAll(fd, data), fsync(fd) == 0 else { throw SystemCallError("cannot write \(path)", errno: errno) }
    }

    /// fsyncs a directory, so that a rename in it is durable; best effort.
    public static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// Writes every byte, retrying on EINTR and short writes; false with `errno` set on failure.
    private static func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { bytes -> Bool in
            var done = 0
            while done < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                done += n
            }
            return true
        }
    }
}
