import Diagnostics

/// Marks errors of this module (see `CheckpointError`).
public enum CheckpointErrorDomain: ErrorDomain {}

/// A failure writing, reading or restoring a checkpoint image; `code` is stable, `message` names the
/// checkpoint, blob or directory and what to do.
public typealias CheckpointError = ModuleError<CheckpointErrorDomain>

extension CheckpointError {
    static func notCheckpoint(_ reference: String, _ why: String) -> CheckpointError {
        CheckpointError("not-a-checkpoint", "\(reference) is not a checkpoint image: \(why)", category: .usage)
    }

    static func posix(_ what: String, errno err: Int32) -> CheckpointError {
        CheckpointError("checkpoint-io", "\(what): \(String(cString: strerror(err)))")
    }
}

#if canImport(Glibc)
import Glibc
#endif
