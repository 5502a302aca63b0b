import CArchive
import Diagnostics

/// Marks errors of this module (see `TarError`).
public enum TarErrorDomain: ErrorDomain {}

/// A failure reading, writing or extracting a tar stream; the message names the archive and entry.
public typealias TarError = ModuleError<TarErrorDomain>

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TarError {
    static func libarchive(_ code: String, _ context: String, _ archive: OpaquePointer?) -> TarError {
        var detail = archive.flatMap { archive_error_string($0) }.map { String(cString: $0) } ?? "unknown libarchive error"
        // libarchive's text for a failed write ("Write failed") leaves out why: add the system's words.
        let number = archive.map { archive_errno($0) } ?? 0
        if number > 0 {
            let system = String(cString: strerror(number))
            if !detail.contains(system) { detail += " (\(system))" }
        }
        return TarError(code, "\(context): \(detail)")
    }

    static func posix(_ code: String, _ context: String, errno err: Int32) -> TarError {
        TarError(code, "\(context): \(String(cString: strerror(err)))")
    }
}
