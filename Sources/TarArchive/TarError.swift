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

    /// A libarchive constructor returned NULL: the library could not be loaded (the reason), or memory ran out.
    static func cannotCreate(_ code: String, _ what: String) -> TarError {
        TarError(code, "cannot create \(what): \(ArchiveLibrary.constructorFailure)")
    }

    static func posix(_ code: String, _ context: String, errno err: Int32) -> TarError {
        TarError(code, "\(context): \(String(cString: strerror(err)))")
    }
}

/// libarchive itself, which the process loads the first time it reads or writes a tar.
public enum ArchiveLibrary {
    /// Nil once libarchive is loaded, else why it cannot be (missing library, or one older than Berth needs).
    public static var loadError: String? { berth_archive_load_error().map { String(cString: $0) } }

    /// Why a libarchive constructor returned NULL: the library could not be loaded, else memory ran out.
    public static var constructorFailure: String { loadError ?? "out of memory" }
}
