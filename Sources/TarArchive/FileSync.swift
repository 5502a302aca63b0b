import CArchive
import Foundation

/// Flushing extracted data to disk before it is committed (ctr's `--sync-fs`).
public enum FileSync {
    /// Flushes the whole filesystem that holds `path` (syncfs(2)).
    public static func filesystem(containing path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = CArchive.syncfs(fd)
        close(fd)
    }
}
