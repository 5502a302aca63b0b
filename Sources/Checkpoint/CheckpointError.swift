import Diagnostics

/// A failure writing, reading or restoring a checkpoint image; `code` is stable, `message` names the
/// checkpoint, blob or directory and what to do.
public struct CheckpointError: BerthError {
    public var category: ErrorCategory
    public var code: String
    public var message: String
    public var underlying: (any Error)?

    public init(_ code: String, _ message: String, category: ErrorCategory = .runtime, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.category = category
        self.underlying = underlying
    }

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
