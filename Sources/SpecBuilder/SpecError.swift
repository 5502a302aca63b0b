import Diagnostics

/// A spec that cannot be built: a value in the manifest, the image or the rootfs that does not
/// resolve. Built only by the factory functions below so the wording stays consistent.
public struct SpecError: BerthError {
    /// `.manifest` for values the manifest must change, `.runtime` for I/O and missing peers.
    public var category: ErrorCategory
    /// Stable code: `unknown-user`, `unknown-group`, `invalid-user`, `peer-not-running`, `conflict`,
    /// `no-command`, `invalid-config`, `invalid-<field>`, `unreadable-env-file`, `unreadable-file`, `file-too-large`.
    public var code: String
    /// One line naming the failing value and what to do.
    public var message: String
    /// Where the failing manifest field was written, when known.
    public var location: SourceLocation?
    public var underlying: (any Error)?

    public var diagnostics: [Diagnostic] {
        guard let location else { return [] }
        return [.error(at: location, message)]
    }

    init(
        _ category: ErrorCategory, _ code: String, _ message: String, at location: SourceLocation? = nil,
        underlying: (any Error)? = nil
    ) {
        self.category = category
        self.code = code
        self.message = message
        self.location = location
        self.underlying = underlying
    }
}

extension SpecError {
    static func unknownUser(
        _ name: String, value: String, file: String, missing: Bool,
        at location: SourceLocation?
    ) -> SpecError {
        let why = missing ? "\(file) does not exist" : "no entry named \"\(name)\" in \(file)"
        return SpecError(
            .manifest, "unknown-user",
            "user \"\(value)\": cannot resolve user \"\(name)\": \(why); use a user listed there or a numeric uid",
            at: location)
    }

    static func unknownGroup(
        _ name: String, value: String, file: String, missing: Bool,
        at location: SourceLocation?
    ) -> SpecError {
        let why = missing ? "\(file) does not exist" : "no entry named \"\(name)\" in \(file)"
        return SpecError(
            .manifest, "unknown-group",
            "user \"\(value)\": cannot resolve group \"\(name)\": \(why); use a group listed there or a numeric gid",
            at: location)
    }

    static func invalidUser(_ value: String, _ reason: String, at location: SourceLocation?) -> SpecError {
        SpecError(
            .manifest, "invalid-user",
            "user \"\(value)\": \(reason); expected name, uid, uid:gid, name:group, uid:group or name:gid",
            at: location)
    }

    static func fileTooLarge(_ path: String, size: Int64, limit: Int64) -> SpecError {
        SpecError(.runtime, "file-too-large", "\(path) is \(size) bytes; files read from the rootfs are limited to \(limit) bytes")
    }

    static func unreadable(
        _ path: String, what: String, code: String = "unreadable-file", at location: SourceLocation? = nil,
        cause: (any Error)? = nil
    ) -> SpecError {
        SpecError(.runtime, code, "cannot read \(what) \(path)", at: location, underlying: cause)
    }

    static func peerNotRunning(_ peer: String, type: String, at location: SourceLocation?) -> SpecError {
        SpecError(
            .runtime, "peer-not-running",
            "with-ns \(type): container \"\(peer)\" is not running, so its \(type) namespace cannot be joined; start it first (depends-on)",
            at: location)
    }

    static func conflict(_ message: String, at location: SourceLocation?) -> SpecError {
        SpecError(.manifest, "conflict", message, at: location)
    }

    static func noCommand(container: String, at location: SourceLocation?) -> SpecError {
        SpecError(
            .manifest, "no-command",
            "container \"\(container)\" has no command: the image sets neither Entrypoint nor Cmd; set `args` in the manifest",
            at: location)
    }

    static func invalidValue(_ field: String, _ message: String, at location: SourceLocation?) -> SpecError {
        SpecError(.manifest, "invalid-\(field)", message, at: location)
    }

    static func invalidConfig(_ path: String, _ reason: String, at location: SourceLocation?, cause: (any Error)? = nil) -> SpecError {
        SpecError(.usage, "invalid-config", "config \(path): \(reason)", at: location, underlying: cause)
    }
}
