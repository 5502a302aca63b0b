import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A system call failed: what was being done, naming the path, and the `errno` it left. The modules
/// turn it into their own error (`ImageStoreError.posix(error.what, errno: error.errno)`), keeping their codes.
public struct SystemCallError: Error, Sendable, CustomStringConvertible {
    /// "cannot create /var/lib/berth/store/index.json.tmp-…"
    public var what: String
    public var errno: Int32

    public init(_ what: String, errno: Int32) {
        self.what = what
        self.errno = errno
    }

    /// `what: strerror(errno)`.
    public var description: String { "\(what): \(String(cString: strerror(errno)))" }
}
