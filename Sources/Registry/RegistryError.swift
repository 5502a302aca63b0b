import Diagnostics

/// A failure talking to a registry; `code` is stable and `message` names the registry, tag or blob.
public struct RegistryError: BerthError {
    public var category: ErrorCategory
    public var code: String
    public var message: String
    public var underlying: (any Error)?
    /// Whether trying again may help (429/5xx, a broken or refused connection, a cut-off body).
    var isTransient = false
    /// How long the registry asked to wait (`Retry-After`) before trying again.
    var retryAfter: Duration?

    public init(_ code: String, _ message: String, category: ErrorCategory = .runtime, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.category = category
        self.underlying = underlying
    }

    static func unknownHost(_ host: String, _ error: any Error) -> RegistryError {
        RegistryError(
            "registry-unknown-host",
            "cannot resolve registry host \"\(host)\"; check the image reference "
                + "and the network", underlying: error)
    }

    static func unreachable(_ registry: String, _ error: any Error) -> RegistryError {
        var error = RegistryError(
            "registry-unreachable",
            "cannot connect to registry \(registry) (or the connection "
                + "broke)", underlying: error)
        error.isTransient = true
        return error
    }

    /// `problem` says what is wrong with the certificate, e.g. "certificate signed by unknown authority".
    static func tls(
        _ registry: String, host: String, problem: String, advice: String,
        _ error: any Error
    ) -> RegistryError {
        let name = host == registry ? registry : "\(registry) (\(host))"
        return RegistryError(
            "registry-tls", "TLS connection to registry \(name) failed: \(problem); \(advice)",
            underlying: error)
    }

    static func unauthorized(_ registry: String, repository: String, status: Int) -> RegistryError {
        RegistryError(
            "registry-unauthorized",
            "registry \(registry) refused access to \(repository) (HTTP \(status)); "
                + "log in with `berth login \(registry)` or check the repository name")
    }

    static func loginRefused(_ registry: String, username: String, status: Int) -> RegistryError {
        RegistryError(
            "registry-unauthorized",
            "registry \(registry) refused the credentials of user \"\(username)\" "
                + "(HTTP \(status)); check the user name and password", category: .usage)
    }

    static func manifestUnknown(_ reference: String) -> RegistryError {
        RegistryError(
            "manifest-unknown",
            "image \"\(reference)\" was not found in its registry (no such tag, digest "
                + "or repository)", category: .usage)
    }

    static func digestMismatch(_ digest: String, actual: String, size: Int64) -> RegistryError {
        RegistryError(
            "blob-digest-mismatch",
            "blob \(digest) from the registry has digest \(actual) "
                + "(\(size) bytes); the registry's copy is corrupt or was tampered with")
    }

    static func noPlatform(_ reference: String, wanted: String, offered: [String]) -> RegistryError {
        RegistryError(
            "platform-not-found",
            "image \"\(reference)\" has no manifest for \(wanted); offered: "
                + (offered.isEmpty ? "none" : offered.joined(separator: ", ")), category: .usage)
    }

    static func http(_ what: String, status: Int, registry: String) -> RegistryError {
        RegistryError("registry-http", "registry \(registry) answered HTTP \(status) for \(what)")
    }

    static func protocolError(_ what: String, underlying: (any Error)? = nil) -> RegistryError {
        RegistryError("registry-protocol", what, underlying: underlying)
    }
}
