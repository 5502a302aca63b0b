import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Directories made with their permissions set, parents included: what `FileManager.createDirectory(atPath:
/// withIntermediateDirectories: true, attributes: [.posixPermissions: mode])` does, through mkdir and chmod
/// directly. FileManager reads the mode out of an `Any` dictionary, whose dynamic casts cost every process a few
/// hundred microseconds of the runtime's first-use work on the start path.
public enum DirectoryMaker {
    /// Creates `path` and each missing parent with `mode` (set with chmod, so the umask does not narrow it).
    /// An existing directory is left as it is; an existing non-directory fails with EEXIST, as mkdir does.
    public static func create(_ path: String, mode: mode_t) throws {
        var st = stat()
        if stat(path, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR else { throw SystemCallError("cannot create directory \(path)", errno: EEXIST) }
            return
        }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try create(String(path[..<slash]), mode: mode)
        }
        if mkdir(path, 0o700) != 0 {
            let error = errno
            // Made meanwhile by another process: fine if it is a directory.
            if error == EEXIST, stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR { return }
            throw SystemCallError("cannot create directory \(path)", errno: error)
        }
        if chmod(path, mode) != 0 { throw SystemCallError("cannot set the mode of \(path)", errno: errno) }
    }
}
