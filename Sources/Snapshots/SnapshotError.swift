import Diagnostics

/// A failure unpacking or preparing snapshots; the message names the layer, digest or snapshot key.
public struct SnapshotError: BerthError {
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

    static func posix(_ what: String, errno err: Int32) -> SnapshotError {
        SnapshotError("snapshot-io", "\(what): \(String(cString: strerror(err)))")
    }
}

#if canImport(Glibc)
import Glibc
#endif
