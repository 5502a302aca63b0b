/// `build:`: how the container's image is built (with buildah) from a context directory and a Dockerfile.
public struct BuildDefinition: Hashable, Sendable, Codable {
    /// The absolute context directory.
    public var context: String
    /// The Dockerfile: relative to the context, or absolute; nil: `Dockerfile` in the context.
    public var dockerfile: String?
    /// A Dockerfile written in the manifest instead of a file.
    public var dockerfileInline: String?
    public var args: [String: String]
    /// The stage to build (`--target`).
    public var target: String?
    public var labels: [String: String]
    /// Build every step again (`--no-cache`).
    public var noCache: Bool
    /// Pull the base images even when present (`--pull-always`).
    public var pull: Bool

    public init(
        context: String, dockerfile: String? = nil, dockerfileInline: String? = nil, args: [String: String] = [:], target: String? = nil,
        labels: [String: String] = [:], noCache: Bool = false, pull: Bool = false
    ) {
        self.context = context
        self.dockerfile = dockerfile
        self.dockerfileInline = dockerfileInline
        self.args = args
        self.target = target
        self.labels = labels
        self.noCache = noCache
        self.pull = pull
    }

    /// The Dockerfile's absolute path (nil for an inline one).
    public var dockerfilePath: String? {
        guard dockerfileInline == nil else { return nil }
        let name = dockerfile ?? "Dockerfile"
        return name.hasPrefix("/") ? name : context + "/" + name
    }

    /// The name a built image gets when the manifest names none: never pulled (`berth.local`), one per container.
    public static func defaultImage(project: String, container: String) -> String {
        "berth.local/\(project)-\(container):latest"
    }
}
