import Diagnostics

/// Why a manifest could not be exported to Kubernetes objects.
public struct KubernetesExportError: BerthError {
    public var category: ErrorCategory
    public var code: String
    public var message: String
    public var location: SourceLocation?
    public var underlying: (any Error)?

    init(
        _ code: String, _ message: String, at location: SourceLocation? = nil,
        category: ErrorCategory = .manifest, underlying: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.location = location
        self.category = category
        self.underlying = underlying
    }

    public var diagnostics: [Diagnostic] {
        guard let location else { return [] }
        return [.error(at: location, description)]
    }

    static func nameCollision(_ a: String, _ b: String, as name: String, at location: SourceLocation?) -> Self {
        Self("name-collision", "containers \(a) and \(b) both become \(name) as Kubernetes names; rename one", at: location)
    }

    static func unresolvedUser(_ user: String, container: String, why: String, at location: SourceLocation?) -> Self {
        Self(
            "user-unresolved",
            "cannot resolve user \"\(user)\" of container \(container) to numeric ids: \(why); use a numeric uid[:gid]",
            at: location, category: .runtime)
    }

    static func invalidUser(_ user: String, container: String, why: String, at location: SourceLocation?) -> Self {
        Self("invalid-user", "invalid user \"\(user)\" of container \(container): \(why)", at: location)
    }

    static func missingDigest(_ image: String, container: String, at location: SourceLocation?) -> Self {
        Self(
            "image-not-found", "image \(image) of container \(container) is not in the image store; import or pull it, or drop --pin-digests",
            at: location, category: .runtime)
    }
}
