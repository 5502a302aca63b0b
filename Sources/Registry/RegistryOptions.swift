import Foundation

/// How a `RegistryClient` reaches registries: credentials, trust, plain-HTTP exceptions, retries, parallelism.
public struct RegistryOptions: Sendable, Hashable {
    /// Berth's state root; credentials saved by `login` live in `<stateRoot>/auth.json`.
    public var stateRoot: String?
    /// Docker's client config (`auths`), read for credentials after Berth's own file; nil to skip.
    public var dockerConfigPath: String?
    /// Registries (`host[:port]`) reached over plain `http://`; loopback registries always may be.
    public var insecureRegistries: Set<String>
    /// PEM files with extra CA certificates trusted besides the system store (e.g. a private registry's CA).
    public var extraCACertificates: [String]
    /// Attempts for one request when the registry answers 429/5xx or the connection breaks.
    public var maxAttempts: Int
    /// Delay before the first retry; doubles for each further one.
    public var retryDelay: Duration
    /// Blobs downloaded at the same time.
    public var parallelDownloads: Int
    /// Where credential helpers are looked for, `PATH` style; nil for `$PATH`.
    var credentialHelperSearchPath: String?

    public init(
        stateRoot: String? = nil,
        dockerConfigPath: String? = RegistryOptions.defaultDockerConfigPath,
        insecureRegistries: Set<String> = [], extraCACertificates: [String] = [],
        maxAttempts: Int = 5, retryDelay: Duration = .milliseconds(500), parallelDownloads: Int = 4
    ) {
        self.stateRoot = stateRoot
        self.dockerConfigPath = dockerConfigPath
        self.insecureRegistries = insecureRegistries
        self.extraCACertificates = extraCACertificates
        self.maxAttempts = max(1, maxAttempts)
        self.retryDelay = retryDelay
        self.parallelDownloads = max(1, parallelDownloads)
    }

    /// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
    public static var defaultDockerConfigPath: String? {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["DOCKER_CONFIG"], !dir.isEmpty { return dir + "/config.json" }
        guard let home = env["HOME"], !home.isEmpty else { return nil }
        return home + "/.docker/config.json"
    }

    /// Whether `registry` (`host[:port]`) may be reached over plain HTTP.
    func allowsPlainHTTP(_ registry: String) -> Bool {
        insecureRegistries.contains(registry) || RegistryEndpoint.isLoopback(registry)
    }
}
