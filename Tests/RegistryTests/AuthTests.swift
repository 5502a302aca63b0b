import Foundation
import ImageStore
import OCI
import Testing
@testable import Registry

/// TLS with a private CA, htpasswd basic auth, `login`, and credential files.
@Suite(.serialized)
struct AuthTests {
    @Test func tlsAndBasicAuthWithLogin() async throws {
        let temp = try TempDirectory()
        let registry = try RegistryServer(
            directory: temp.path + "/registry", tls: true,
            htpasswd: (user: "berth", password: "s3cret"))
        defer { registry.stop() }
        try Fixtures.image(layout: temp.path + "/layout", reference: "fixture:v1", files: ["etc/a": "tls\n"])
        try registry.push(
            layout: temp.path + "/layout", refName: "docker.io/library/fixture:v1", to: "private:v1",
            credentials: "berth:s3cret")
        let state = temp.path + "/state"
        let reference = "\(registry.address)/private:v1"
        let store = try ImageStore(root: temp.path + "/store")

        let untrusting = RegistryClient(options: Fixtures.options(stateRoot: state, attempts: 1))
        let tlsError = await #expect(throws: RegistryError.self) {
            try await untrusting.pullAsync(reference, into: store)
        }
        #expect(tlsError?.code == "registry-tls")
        #expect(tlsError?.underlying != nil)
        #expect(tlsError?.message.contains(registry.address) == true)

        let client = RegistryClient(options: Fixtures.options(stateRoot: state, extraCA: [registry.certificate]))
        let anonymous = await #expect(throws: RegistryError.self) {
            try await client.pullAsync(reference, into: store)
        }
        #expect(anonymous?.code == "registry-unauthorized")
        #expect(anonymous?.message.contains("berth login \(registry.address)") == true)

        let wrong = await #expect(throws: RegistryError.self) {
            try await client.loginAsync(
                registry: registry.address,
                credentials: RegistryCredentials(username: "berth", password: "nope"))
        }
        #expect(wrong?.code == "registry-unauthorized")
        #expect(!FileManager.default.fileExists(atPath: state + "/auth.json"))

        try await client.loginAsync(
            registry: registry.address,
            credentials: RegistryCredentials(username: "berth", password: "s3cret"))
        let attributes = try FileManager.default.attributesOfItem(atPath: state + "/auth.json")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let pulled = try await client.pullAsync(reference, into: store)
        #expect(pulled.reference == reference)
        #expect(store.hasBlob(pulled.manifest.layers[0].digest))

        try client.logout(registry: registry.address)
        #expect(try CredentialStore.lookup(registry: registry.address, options: client.options) == nil)
    }

    @Test func bearerTokenFromTheChallengedRealm() async throws {
        let temp = try TempDirectory()
        let tokens = try TokenServer(directory: temp.path + "/token", user: "berth", password: "t0ken")
        defer { tokens.stop() }
        let registry = try RegistryServer(directory: temp.path + "/registry", extraConfig: tokens.registryConfig)
        defer { registry.stop() }
        let source = try Fixtures.image(
            layout: temp.path + "/layout", reference: "fixture:v1",
            files: ["etc/t": "token\n"])
        try registry.push(
            layout: temp.path + "/layout", refName: "docker.io/library/fixture:v1", to: "team/app:v1",
            credentials: "berth:t0ken")
        let state = temp.path + "/state"
        let client = RegistryClient(options: Fixtures.options(stateRoot: state))
        let reference = "\(registry.address)/team/app:v1"
        let store = try ImageStore(root: temp.path + "/store")

        let anonymous = await #expect(throws: RegistryError.self) {
            try await client.pullAsync(reference, into: store)
        }
        #expect(anonymous?.code == "registry-unauthorized")
        #expect(anonymous?.message.contains("berth login \(registry.address)") == true)

        try await client.loginAsync(
            registry: registry.address,
            credentials: RegistryCredentials(username: "berth", password: "t0ken"))
        let pulled = try await client.pullAsync(reference, into: store)
        #expect(pulled.digest == source.digest)
        #expect(pulled.config == source.config)
    }

    @Test func unknownHostIsNamed() async throws {
        let temp = try TempDirectory()
        let client = RegistryClient(options: Fixtures.options(stateRoot: temp.path, attempts: 1))
        let store = try ImageStore(root: temp.path + "/store")
        let error = await #expect(throws: RegistryError.self) {
            try await client.pullAsync("no-such-host.invalid/app:v1", into: store)
        }
        #expect(error?.code == "registry-unknown-host")
        #expect(error?.message.contains("no-such-host.invalid") == true)
    }

    struct LookupCase: Sendable, CustomStringConvertible {
        var key: String
        var registry: String
        var found: Bool
        var description: String { "\(key) for \(registry)" }
    }

    static let lookupCases: [LookupCase] = [
        LookupCase(key: "https://index.docker.io/v1/", registry: "docker.io", found: true),
        LookupCase(key: "registry.example.com:5000", registry: "registry.example.com:5000", found: true),
        LookupCase(key: "https://ghcr.io", registry: "ghcr.io", found: true),
        LookupCase(key: "ghcr.io", registry: "quay.io", found: false),
    ]

    @Test(arguments: lookupCases)
    func dockerConfigCredentials(_ c: LookupCase) throws {
        let temp = try TempDirectory()
        let config = temp.path + "/config.json"
        let auth = Data("alice:pa:ss".utf8).base64EncodedString()
        try #"{"auths":{"\#(c.key)":{"auth":"\#(auth)"}},"credHelpers":{"other.example":"none"}}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        let options = RegistryOptions(stateRoot: temp.path + "/state", dockerConfigPath: config)
        let found = try CredentialStore.lookup(registry: c.registry, options: options)
        #expect(found == (c.found ? RegistryCredentials(username: "alice", password: "pa:ss") : nil))
    }

    @Test func malformedAuthEntryIsAUsageError() throws {
        let temp = try TempDirectory()
        let config = temp.path + "/config.json"
        try #"{"auths":{"ghcr.io":{"auth":"not base64!"}}}"#.write(toFile: config, atomically: true, encoding: .utf8)
        let options = RegistryOptions(dockerConfigPath: config)
        let error = #expect(throws: RegistryError.self) {
            try CredentialStore.lookup(registry: "ghcr.io", options: options)
        }
        #expect(error?.code == "credentials-invalid")
        #expect(error?.message.contains(config) == true)
    }

    @Test func berthFileComesBeforeDockerConfig() throws {
        let temp = try TempDirectory()
        let config = temp.path + "/config.json"
        let docker = Data("docker:one".utf8).base64EncodedString()
        try #"{"auths":{"ghcr.io":{"auth":"\#(docker)"}}}"#.write(toFile: config, atomically: true, encoding: .utf8)
        try CredentialStore.save(
            RegistryCredentials(username: "berth", password: "two"), registry: "ghcr.io",
            stateRoot: temp.path + "/state")
        let options = RegistryOptions(stateRoot: temp.path + "/state", dockerConfigPath: config)
        #expect(
            try CredentialStore.lookup(registry: "ghcr.io", options: options)
                == RegistryCredentials(username: "berth", password: "two"))
    }
}
