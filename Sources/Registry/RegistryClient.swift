import AsyncHTTPClient
import Foundation
import ImageStore
import NIOCore
import NIOPosix
import NIOSSL
import OCI

/// Pulls images from OCI distribution registries (Docker Hub, private registries) into an `ImageStore`.
/// The async methods are the real work; the synchronous ones are for the synchronous CLI (never call them
/// from async code: they block the calling thread until the work finishes).
public struct RegistryClient: Sendable {
    public let options: RegistryOptions

    public init(options: RegistryOptions = RegistryOptions()) {
        self.options = options
    }

    /// Resolves `reference` to the manifest for `platform`, listing the blobs `store` still lacks (all when nil).
    public func resolve(
        _ reference: String, platform: Platform = .host,
        store: ImageStore? = nil
    ) throws -> RemoteImage {
        try Self.blocking { try await resolveAsync(reference, platform: platform, store: store) }
    }

    /// Downloads the image for `platform` into `store` (skipping blobs already there) and names it `reference`.
    @discardableResult
    public func pull(
        _ reference: String, into store: ImageStore, platform: Platform = .host,
        progress: (@Sendable (PullProgress) -> Void)? = nil
    ) throws -> ResolvedImage {
        try Self.blocking { try await pullAsync(reference, into: store, platform: platform, progress: progress) }
    }

    /// Checks `credentials` against `registry` (`host[:port]`, or `docker.io`) and saves them in
    /// `<stateRoot>/auth.json` (mode 0600, never a Docker credential helper) for later pulls; returns that path.
    @discardableResult
    public func login(registry: String, credentials: RegistryCredentials) throws -> String {
        try Self.blocking { try await loginAsync(registry: registry, credentials: credentials) }
    }

    /// Forgets the credentials saved for `registry` in `<stateRoot>/auth.json`.
    public func logout(registry: String) throws {
        try CredentialStore.save(nil, registry: registry, stateRoot: try requireStateRoot())
    }

    /// Async form of `resolve`.
    public func resolveAsync(
        _ reference: String, platform: Platform = .host,
        store: ImageStore? = nil
    ) async throws -> RemoteImage {
        let name = try parse(reference)
        return try await withSession(name) { session in
            try await Resolution.resolve(name, platform: platform, session: session, store: store).image
        }
    }

    /// Async form of `pull`.
    @discardableResult
    public func pullAsync(
        _ reference: String, into store: ImageStore, platform: Platform = .host,
        progress: (@Sendable (PullProgress) -> Void)? = nil
    ) async throws -> ResolvedImage {
        let name = try parse(reference)
        return try await withSession(name) { session in
            let resolution = try await Resolution.resolve(name, platform: platform, session: session, store: store)
            return try await resolution.pull(
                into: store, platform: platform, session: session, options: options,
                progress: progress)
        }
    }

    /// Async form of `login`.
    @discardableResult
    public func loginAsync(registry: String, credentials: RegistryCredentials) async throws -> String {
        let stateRoot = try requireStateRoot()
        let probe = try parse(registry + "/berth-login-probe")
        try await withHTTPClient { client in
            let session = RegistrySession(
                client: client, options: options, endpoint: RegistryEndpoint(probe),
                credentials: credentials)
            try await session.verifyCredentials()
        }
        try CredentialStore.save(credentials, registry: RegistryEndpoint(probe).registry, stateRoot: stateRoot)
        return stateRoot + "/auth.json"
    }

    private func requireStateRoot() throws -> String {
        guard let root = options.stateRoot else {
            throw RegistryError("no-state-root", "saving registry credentials needs a state root", category: .internal)
        }
        return root
    }

    private func parse(_ reference: String) throws -> ImageReference {
        try ImageReference(parsing: reference)
    }

    private func withSession<T: Sendable>(
        _ name: ImageReference,
        _ body: @Sendable (RegistrySession) async throws -> T
    ) async throws -> T {
        try await withHTTPClient { client in
            try await body(RegistrySession(client: client, options: options, endpoint: RegistryEndpoint(name)))
        }
    }

    /// A client with the system trust store plus the extra CAs, no automatic redirects; always shut down.
    private func withHTTPClient<T: Sendable>(_ body: @Sendable (HTTPClient) async throws -> T) async throws -> T {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.additionalTrustRoots = options.extraCACertificates.map { .file($0) }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(30), read: .seconds(60)))
        // Failures surface at once (a TLS or DNS error is not worth 30 s of reconnecting); `Retry` decides.
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(client))
        } catch {
            result = .failure(error)
        }
        try? await client.shutdown()
        return try result.get()
    }

    /// Runs `work` and blocks the calling thread until it finishes: the bridge from the synchronous CLI to
    /// the async client (see `SyncBridge` for why the wait is safe).
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        try SyncBridge.run(work)
    }
}
