import BerthSystem
import Diagnostics
import Foundation

/// Where a secret's or config's value comes from. The value itself is never part of a definition (so never of
/// a saved plan or the state): it is read when the canonical form's digest is computed and when apply writes it.
public enum SecretSource: Hashable, Sendable, Codable {
    /// An absolute host file.
    case file(String)
    /// A variable of Berth's environment.
    case environment(String)
    /// Text written in the manifest (configs only: they are not secret).
    case content(String)

    /// The value now; throws naming the file or variable when it cannot be read.
    public func value(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Data {
        switch self {
        case .file(let path):
            do {
                return try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw SecretSourceError(message: "cannot read \(path): \(SystemErrorText.of(error))")
            }
        case .environment(let name):
            guard let value = environment[name] else {
                throw SecretSourceError(message: "environment variable \(name) is not set (a secret or config takes its value from it)")
            }
            return Data(value.utf8)
        case .content(let text):
            return Data(text.utf8)
        }
    }
}

/// A top-level `secrets:` or `configs:` entry.
public struct SecretDefinition: Hashable, Sendable, Codable {
    public var name: String
    public var source: SecretSource

    public init(name: String, source: SecretSource) {
        self.name = name
        self.source = source
    }
}

/// A secret or config a container mounts: a read-only file Berth writes under the container's directory.
public struct SecretMount: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable {
        case secret
        case config
    }

    public var kind: Kind
    /// The top-level entry's name.
    public var name: String
    public var source: SecretSource
    /// Absolute path in the container (`/run/secrets/<name>` for secrets, `/<name>` for configs by default).
    public var target: String
    /// Owner; nil: the container's process user.
    public var uid: UInt32?
    public var gid: UInt32?
    /// Permission bits (default 0400 for secrets, 0440 for configs).
    public var mode: UInt32

    public init(kind: Kind, name: String, source: SecretSource, target: String, uid: UInt32? = nil, gid: UInt32? = nil, mode: UInt32) {
        self.kind = kind
        self.name = name
        self.source = source
        self.target = target
        self.uid = uid
        self.gid = gid
        self.mode = mode
    }

    /// The file's name under the container's `secrets/` directory.
    public var fileName: String { "\(kind.rawValue)-\(name)" }

    public static func defaultTarget(kind: Kind, name: String) -> String {
        kind == .secret ? "/run/secrets/\(name)" : "/\(name)"
    }

    public static func defaultMode(_ kind: Kind) -> UInt32 { kind == .secret ? 0o400 : 0o440 }
}

/// A secret's or config's value cannot be read (a missing file or variable).
public struct SecretSourceError: BerthError {
    public var category: ErrorCategory { .usage }
    public var code: String { "secret-unreadable" }
    public var message: String
}

extension ContainerDefinition {
    /// `secret NAME sha256:…` for each secret and config it mounts, from their values now: what the change
    /// hash covers instead of the values.
    public func secretDigests(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [String] {
        try secretMounts.map { "\($0.kind.rawValue) \($0.name) \(SHA256Hex.digest(of: try $0.source.value(environment: environment)))" }
    }
}
