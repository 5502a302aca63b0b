import Diagnostics

/// Marks errors of this module (see `SnapshotError`).
public enum SnapshotErrorDomain: ErrorDomain {}

/// A failure unpacking or preparing snapshots; the message names the layer, digest or snapshot key.
public typealias SnapshotError = ModuleError<SnapshotErrorDomain>

extension SnapshotError {
    static func posix(_ what: String, errno err: Int32) -> SnapshotError {
        SnapshotError("snapshot-io", "\(what): \(String(cString: strerror(err)))")
    }
}

#if canImport(Glibc)
import Glibc
#endif
