import CArchive
import Diagnostics

/// A failure reading, writing or extracting a tar stream; the message names the archive and entry.
public struct TarError: BerthError {
    public var code: String
    public var message: String
    public var underlying: (any Error)?
    public var category: ErrorCategory { .runtime }

    public init(code: String, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    static func libarchive(_ code: String, _ context: String, _ archive: OpaquePointer?) -> TarError {
        var detail = archive.flatMap { archive_error_string($0) }.map { String(cString: $0) } ?? "unknown libarchive error"
        // libarchive's text for a failed write ("Write failed") leaves out why: add the system's words.
        let number = archive.map { archive_errno($0) } ?? 0
        if number > 0 {
            let system = String(cString: strerror(number))
            if !detail.contains(system) { detail += " (\(system))" }
        }
        return TarError(code: code, "\(context): \(detail)")
    }

    static func posix(_ code: String, _ context: String, errno err: Int32) -> TarError {
        TarError(code: code, "\(context): \(String(cString: strerror(err)))")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
