import BerthSystem
import Foundation

/// A user name and password (or token) for one registry.
public struct RegistryCredentials: Sendable, Hashable {
    public var username: String
    public var password: String
    /// An identity (refresh) token, from a credential helper answering user `<token>` or an `identitytoken`
    /// entry; exchanged for a bearer token with the OAuth2 `refresh_token` grant.
    public var identityToken: String?

    public init(username: String, password: String, identityToken: String? = nil) {
        self.username = username
        self.password = password
        self.identityToken = identityToken
    }

    /// The value of an `Authorization: Basic …` header.
    var basicAuthorization: String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }
}

/// The `auths` file format Docker's config.json and Berth's `<stateRoot>/auth.json` share.
struct AuthFile: Codable, Sendable {
    struct Entry: Codable, Sendable {
        var auth: String?
        var identitytoken: String?
    }
    var auths: [String: Entry]?
    /// Docker's default credential helper for every registry (`docker-credential-<credsStore>`).
    var credsStore: String?
    /// Docker's per-registry credential helpers; they win over `credsStore`.
    var credHelpers: [String: String]?
}

/// Reads credentials from Berth's auth.json, then Docker's config.json (its `credHelpers`, then `credsStore`,
/// then `auths`, as docker does); writes Berth's file for `login`.
enum CredentialStore {
    /// The keys a registry may be filed under (Docker keeps docker.io under its v1 index URL).
    static func keys(for registry: String) -> [String] {
        var keys = [
            registry, "https://\(registry)", "http://\(registry)", "https://\(registry)/v1/",
            "https://\(registry)/v2/",
        ]
        if registry == "docker.io" {
            keys += ["https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io"]
        }
        return keys
    }

    static func lookup(registry: String, options: RegistryOptions) throws -> RegistryCredentials? {
        if let root = options.stateRoot, let file = try read(root + "/auth.json"),
            let found = try fromAuths(file, path: root + "/auth.json", registry: registry)
        {
            return found
        }
        guard let path = options.dockerConfigPath, let file = try read(path) else { return nil }
        // With a helper configured its answer decides, "not found" included (docker then ignores `auths`).
        if let helper = helperName(file, registry: registry) {
            let search =
                options.credentialHelperSearchPath ?? ProcessInfo.processInfo.environment["PATH"]
                ?? "/usr/local/bin:/usr/bin:/bin"
            return try CredentialHelper(name: helper, configPath: path, searchPath: search).get(registry: registry)
        }
        return try fromAuths(file, path: path, registry: registry)
    }

    /// `credHelpers[registry]`, else `credsStore`; nil when neither names a helper.
    static func helperName(_ file: AuthFile, registry: String) -> String? {
        for key in keys(for: registry) {
            if let helper = file.credHelpers?[key], !helper.isEmpty { return helper }
        }
        if let store = file.credsStore, !store.isEmpty { return store }
        return nil
    }

    private static func read(_ path: String) throws -> AuthFile? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(AuthFile.self, from: data)
        } catch {
            throw RegistryError(
                "credentials-invalid", "cannot read credentials file \(path); fix or remove it",
                category: .usage, underlying: error)
        }
    }

    private static func fromAuths(_ file: AuthFile, path: String, registry: String) throws -> RegistryCredentials? {
        for key in keys(for: registry) {
            guard let entry = file.auths?[key] else { continue }
            var credentials: RegistryCredentials?
            if let encoded = entry.auth, !encoded.isEmpty {
                guard let decoded = Data(base64Encoded: encoded).flatMap({ String(data: $0, encoding: .utf8) }),
                    let colon = decoded.firstIndex(of: ":")
                else {
                    throw RegistryError(
                        "credentials-invalid",
                        "the `auth` entry for \(key) in \(path) is not "
                            + "base64 of user:password", category: .usage)
                }
                credentials = RegistryCredentials(
                    username: String(decoded[..<colon]),
                    password: String(decoded[decoded.index(after: colon)...]))
            }
            if let token = entry.identitytoken, !token.isEmpty {
                credentials = RegistryCredentials(
                    username: credentials?.username ?? "", password: "",
                    identityToken: token)
            }
            if let credentials { return credentials }
        }
        return nil
    }

    /// Adds (or with nil removes) `registry` in `<stateRoot>/auth.json`, written atomically with mode 0600.
    static func save(_ credentials: RegistryCredentials?, registry: String, stateRoot: String) throws {
        let path = stateRoot + "/auth.json"
        var file = AuthFile(auths: [:])
        if let data = FileManager.default.contents(atPath: path) {
            file = (try? JSONDecoder().decode(AuthFile.self, from: data)) ?? file
        }
        var auths = file.auths ?? [:]
        if let credentials {
            let pair = "\(credentials.username):\(credentials.password)"
            auths[registry] = .init(auth: Data(pair.utf8).base64EncodedString(), identitytoken: credentials.identityToken)
        } else {
            auths[registry] = nil
        }
        file.auths = auths
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            try FileManager.default.createDirectory(atPath: stateRoot, withIntermediateDirectories: true)
            try writePrivate(try encoder.encode(file), to: path)
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError("credentials-write", "cannot write \(path)", underlying: error)
        }
    }

    /// Mode 0600, atomically and durably (`AtomicFile`'s `.durable` policy).
    private static func writePrivate(_ data: Data, to path: String) throws {
        do { try AtomicFile.write(data, to: path, mode: 0o600) } catch {
            throw RegistryError("credentials-write", error.description)
        }
    }
}
