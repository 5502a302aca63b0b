import BerthSystem
import Foundation

/// A Docker credential helper (`docker-credential-<name>`, from `credsStore` or `credHelpers` in config.json),
/// asked with `get`: the server address on stdin, `{"ServerURL","Username","Secret"}` on stdout.
struct CredentialHelper {
    /// The helper's suffix, e.g. `desktop` for `docker-credential-desktop`.
    let name: String
    /// The config file that named the helper, for error messages.
    let configPath: String
    /// Directories searched for the helper, `PATH` style.
    let searchPath: String

    var program: String { "docker-credential-" + name }

    /// What a helper prints (and exits non-zero with) when it holds nothing for the server.
    static let notFoundMessage = "credentials not found in native keychain"

    /// The address Docker files a registry under in helpers: its v1 index URL for docker.io, else `host[:port]`.
    static func serverAddress(for registry: String) -> String {
        registry == "docker.io" ? "https://index.docker.io/v1/" : registry
    }

    private struct Answer: Decodable {
        var serverURL: String?
        var username: String?
        var secret: String?
        enum CodingKeys: String, CodingKey {
            case serverURL = "ServerURL"
            case username = "Username"
            case secret = "Secret"
        }
    }

    /// The credentials the helper holds for `registry`; nil when it has none.
    func get(registry: String) throws -> RegistryCredentials? {
        guard let executable = locate() else {
            throw RegistryError(
                "credential-helper-missing",
                "credential helper \(program) (named in \(configPath)) "
                    + "is not on PATH; install it or remove it from \(configPath)", category: .usage)
        }
        let server = Self.serverAddress(for: registry)
        let result: Command.Output
        do {
            result = try Command(executable, ["get"], input: Data(server.utf8)).run()
        } catch {
            throw RegistryError(
                "credential-helper-failed", "cannot run credential helper \(executable)",
                underlying: error)
        }
        let stdout = String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let stderr = String(decoding: result.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0 else {
            if stdout == Self.notFoundMessage || stderr == Self.notFoundMessage { return nil }
            let detail = [stderr, stdout].first { !$0.isEmpty } ?? "no output"
            throw RegistryError(
                "credential-helper-failed",
                "credential helper \(program) failed to get credentials "
                    + "for \(server) (exit status \(result.status)): \(detail)")
        }
        let answer: Answer
        do {
            answer = try JSONDecoder().decode(Answer.self, from: result.stdout)
        } catch {
            throw RegistryError(
                "credential-helper-failed",
                "credential helper \(program) printed no valid "
                    + "credentials JSON for \(server)", underlying: error)
        }
        let username = answer.username ?? ""
        let secret = answer.secret ?? ""
        if secret.isEmpty { return nil }
        if username == "<token>" {
            return RegistryCredentials(username: "", password: "", identityToken: secret)
        }
        return RegistryCredentials(username: username, password: secret)
    }

    /// The first executable `docker-credential-<name>` in the search path.
    private func locate() -> String? {
        guard !name.contains("/") else { return nil }
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(program)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
