import Diagnostics

/// A file the manifest needs (the manifest itself, an env-file) could not be read.
public struct ManifestFileError: BerthError {
    public var category: ErrorCategory
    public var code: String
    /// The file as named by the user or the manifest.
    public var path: String
    public var underlying: (any Error)?

    public init(category: ErrorCategory = .usage, code: String = "manifest-unreadable", path: String, underlying: (any Error)?) {
        self.category = category
        self.code = code
        self.path = path
        self.underlying = underlying
    }

    public var message: String {
        code == "env-file-unreadable"
            ? "cannot read env-file `\(path)`; check that it exists and is readable"
            : "cannot read manifest `\(path)`; check that it exists and is readable"
    }
}
