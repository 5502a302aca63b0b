import Foundation
import ImageStore
import Testing
@testable import Registry

/// Real `docker-credential-*` programs (bash scripts in a temp dir searched first) behind `credsStore`
/// and `credHelpers` in a Docker config.
@Suite(.serialized)
struct CredentialHelperTests {
    /// A directory of helpers: `docker-credential-<name>` answers from `answers/<server>` when that file exists,
    /// reports "not found" for unknown.example, fails for broken.example, else names itself in the answer.
    final class HelperDirectory {
        let temp: TempDirectory
        var bin: String { temp.path + "/bin" }
        var requests: String { temp.path + "/requests.log" }

        init(names: [String]) throws {
            temp = try TempDirectory()
            try FileManager.default.createDirectory(atPath: bin + "/answers", withIntermediateDirectories: true)
            for name in names {
                let path = bin + "/docker-credential-" + name
                try Self.script(name: name, log: requests).write(toFile: path, atomically: true, encoding: .utf8)
                chmod(path, 0o755)
            }
        }

        /// What the helpers answer for `server` from now on.
        func answer(_ server: String, json: String) throws {
            try json.write(toFile: bin + "/answers/" + server, atomically: true, encoding: .utf8)
        }

        /// The server addresses the helpers were asked about, in order.
        var asked: [String] {
            ((try? String(contentsOfFile: requests, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        func options(config: String, stateRoot: String? = nil) throws -> RegistryOptions {
            let path = temp.path + "/config.json"
            try config.write(toFile: path, atomically: true, encoding: .utf8)
            var options = RegistryOptions(
                stateRoot: stateRoot, dockerConfigPath: path, maxAttempts: 2,
                retryDelay: .milliseconds(50))
            options.credentialHelperSearchPath = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "")
            return options
        }

        static func script(name: String, log: String) -> String {
            """
            #!/bin/bash
            [ "$1" = get ] || { echo "unsupported action $1" >&2; exit 3; }
            server=$(cat)
            echo "$server" >> '\(log)'
            dir=$(dirname "$0")
            if [ -f "$dir/answers/$server" ]; then cat "$dir/answers/$server"; exit 0; fi
            case "$server" in
              unknown.example) echo "credentials not found in native keychain"; exit 1 ;;
              token.example) echo '{"ServerURL":"token.example","Username":"<token>","Secret":"refresh-\(name)"}' ;;
              broken.example) echo "keychain locked: boom" >&2; exit 2 ;;
              *) echo "{\\"ServerURL\\":\\"$server\\",\\"Username\\":\\"\(name)-user\\",\\"Secret\\":\\"\(name)-secret\\"}" ;;
            esac
            """
        }
    }

    struct LookupCase: Sendable, CustomStringConvertible {
        var description: String
        var config: String
        var registry: String
        var expected: RegistryCredentials?
        /// The server address the helper must have been asked for (nil: no helper runs).
        var asked: String?
    }

    static let fileAuth = Data("file:pw".utf8).base64EncodedString()
    static let userOnly = Data("user:".utf8).base64EncodedString()

    static let lookupCases: [LookupCase] = [
        LookupCase(
            description: "credHelpers wins over credsStore and auths",
            config: #"{"auths":{"quay.io":{"auth":"\#(fileAuth)"}},"credsStore":"b","credHelpers":{"quay.io":"a"}}"#,
            registry: "quay.io", expected: RegistryCredentials(username: "a-user", password: "a-secret"),
            asked: "quay.io"),
        LookupCase(
            description: "credsStore wins over auths",
            config: #"{"auths":{"quay.io":{"auth":"\#(fileAuth)"}},"credsStore":"b"}"#,
            registry: "quay.io", expected: RegistryCredentials(username: "b-user", password: "b-secret"),
            asked: "quay.io"),
        LookupCase(
            description: "credHelpers of another registry do not apply",
            config: #"{"auths":{"quay.io":{"auth":"\#(fileAuth)"}},"credHelpers":{"ghcr.io":"a"}}"#,
            registry: "quay.io", expected: RegistryCredentials(username: "file", password: "pw"), asked: nil),
        LookupCase(
            description: "docker.io is asked for under its v1 index URL",
            config: #"{"credsStore":"a"}"#, registry: "docker.io",
            expected: RegistryCredentials(username: "a-user", password: "a-secret"),
            asked: "https://index.docker.io/v1/"),
        LookupCase(
            description: "credHelpers keyed by docker.io's index URL",
            config: #"{"credsStore":"a","credHelpers":{"https://index.docker.io/v1/":"b"}}"#,
            registry: "docker.io", expected: RegistryCredentials(username: "b-user", password: "b-secret"),
            asked: "https://index.docker.io/v1/"),
        LookupCase(
            description: "a registry with a port is asked for as host:port",
            config: #"{"credsStore":"a"}"#, registry: "127.0.0.1:5000",
            expected: RegistryCredentials(username: "a-user", password: "a-secret"), asked: "127.0.0.1:5000"),
        LookupCase(
            description: "not found in the helper is anonymous, auths notwithstanding",
            config: #"{"auths":{"unknown.example":{"auth":"\#(fileAuth)"}},"credsStore":"a"}"#,
            registry: "unknown.example", expected: nil, asked: "unknown.example"),
        LookupCase(
            description: "an identitytoken entry in auths is an identity token",
            config: #"{"auths":{"quay.io":{"auth":"\#(userOnly)","identitytoken":"idt"}}}"#,
            registry: "quay.io", expected: RegistryCredentials(username: "user", password: "", identityToken: "idt"),
            asked: nil),
        LookupCase(
            description: "user <token> is an identity token",
            config: #"{"credsStore":"b"}"#, registry: "token.example",
            expected: RegistryCredentials(username: "", password: "", identityToken: "refresh-b"),
            asked: "token.example"),
    ]

    @Test(arguments: lookupCases)
    func lookupOrder(_ c: LookupCase) throws {
        let helpers = try HelperDirectory(names: ["a", "b"])
        let options = try helpers.options(config: c.config)
        #expect(try CredentialStore.lookup(registry: c.registry, options: options) == c.expected)
        #expect(helpers.asked == (c.asked.map { [$0] } ?? []))
    }

    struct FailureCase: Sendable, CustomStringConvertible {
        var description: String
        var config: String
        var registry: String
        var code: String
        var mentions: [String]
    }

    static let failureCases: [FailureCase] = [
        FailureCase(
            description: "a failing helper is named with its stderr", config: #"{"credsStore":"a"}"#,
            registry: "broken.example", code: "credential-helper-failed",
            mentions: ["docker-credential-a", "keychain locked: boom", "broken.example", "exit status 2"]),
        FailureCase(
            description: "a helper not on PATH is named", config: #"{"credHelpers":{"ghcr.io":"nosuch"}}"#,
            registry: "ghcr.io", code: "credential-helper-missing",
            mentions: ["docker-credential-nosuch", "config.json"]),
    ]

    @Test(arguments: failureCases)
    func helperFailures(_ c: FailureCase) throws {
        let helpers = try HelperDirectory(names: ["a"])
        let options = try helpers.options(config: c.config)
        let error = #expect(throws: RegistryError.self) {
            try CredentialStore.lookup(registry: c.registry, options: options)
        }
        #expect(error?.code == c.code)
        for text in c.mentions {
            #expect(error?.message.contains(text) == true, "\(error?.message ?? "") lacks \(text)")
        }
    }

    @Test func helperAnswersPasswordAndIdentityTokenForATokenRegistry() async throws {
        let temp = try TempDirectory()
        let tokens = try TokenServer(
            directory: temp.path + "/token", user: "berth", password: "t0ken",
            refreshToken: "refresh-good")
        defer { tokens.stop() }
        let registry = try RegistryServer(directory: temp.path + "/registry", extraConfig: tokens.registryConfig)
        defer { registry.stop() }
        let source = try Fixtures.image(
            layout: temp.path + "/layout", reference: "fixture:v1",
            files: ["etc/h": "helper\n"])
        try registry.push(
            layout: temp.path + "/layout", refName: "docker.io/library/fixture:v1", to: "team/app:v1",
            credentials: "berth:t0ken")
        let helpers = try HelperDirectory(names: ["store"])
        let options = try helpers.options(config: #"{"credsStore":"store"}"#, stateRoot: temp.path + "/state")
        let reference = "\(registry.address)/team/app:v1"

        try helpers.answer(registry.address, json: #"{"ServerURL":"x","Username":"berth","Secret":"t0ken"}"#)
        let pulled = try await RegistryClient(options: options)
            .pullAsync(reference, into: try ImageStore(root: temp.path + "/store1"))
        #expect(pulled.digest == source.digest)
        #expect(helpers.asked.last == registry.address)

        try helpers.answer(registry.address, json: #"{"ServerURL":"x","Username":"<token>","Secret":"refresh-good"}"#)
        let refreshed = try await RegistryClient(options: options)
            .pullAsync(reference, into: try ImageStore(root: temp.path + "/store2"))
        #expect(refreshed.digest == source.digest)

        try helpers.answer(registry.address, json: #"{"ServerURL":"x","Username":"<token>","Secret":"refresh-bad"}"#)
        let refused = await #expect(throws: RegistryError.self) {
            try await RegistryClient(options: options)
                .pullAsync(reference, into: try ImageStore(root: temp.path + "/store3"))
        }
        #expect(refused?.code == "registry-unauthorized")
        #expect(refused?.message.contains("berth login \(registry.address)") == true)
    }

    @Test func openRegistryNeverRunsTheHelper() async throws {
        let temp = try TempDirectory()
        let registry = try RegistryServer(directory: temp.path + "/registry")
        defer { registry.stop() }
        let source = try Fixtures.image(
            layout: temp.path + "/layout", reference: "fixture:v1",
            files: ["etc/o": "open\n"])
        try registry.push(layout: temp.path + "/layout", refName: "docker.io/library/fixture:v1", to: "app:v1")
        let helpers = try HelperDirectory(names: ["a"])
        let options = try helpers.options(config: #"{"credsStore":"a","credHelpers":{"\#(registry.address)":"gone"}}"#)
        let pulled = try await RegistryClient(options: options)
            .pullAsync("\(registry.address)/app:v1", into: try ImageStore(root: temp.path + "/store"))
        #expect(pulled.digest == source.digest)
        #expect(helpers.asked.isEmpty)
    }
}
