import Diagnostics

/// Marks errors of this module (see `ImageStoreError`).
public enum ImageStoreErrorDomain: ErrorDomain {}

/// A failure of the image store; `code` is stable, `message` names the image, blob or file.
public typealias ImageStoreError = ModuleError<ImageStoreErrorDomain>

extension ImageStoreError {
    static func notFound(_ reference: String) -> ImageStoreError {
        ImageStoreError(
            "image-not-found",
            "image \"\(reference)\" is not in the image store; add it with "
                + "`berth image import --rootfs DIR --tag \(reference)` or `berth image import FILE`")
    }

    static func io(_ what: String, _ error: any Error) -> ImageStoreError {
        ImageStoreError("image-store-io", what, underlying: error)
    }

    static func posix(_ what: String, errno err: Int32) -> ImageStoreError {
        ImageStoreError("image-store-io", "\(what): \(String(cString: strerror(err)))")
    }
}

#if canImport(Glibc)
import Glibc
#endif
