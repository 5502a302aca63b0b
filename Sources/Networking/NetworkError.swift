import BerthSystem
import Diagnostics
import Foundation

/// Marks errors of this module (see `NetworkError`).
public enum NetworkErrorDomain: ErrorDomain {}

/// A failure creating a network namespace, running a CNI plugin, writing a conflist, a cache entry or a
/// name-resolution file; `code` is stable, `message` names the network, container, plugin or path.
public typealias NetworkError = ModuleError<NetworkErrorDomain>

extension NetworkError {
    static func posix(_ error: SystemCallError) -> NetworkError {
        NetworkError("network-io", error.description)
    }

    static func posix(_ what: String, errno err: Int32) -> NetworkError {
        NetworkError("network-io", "\(what): \(String(cString: strerror(err)))")
    }

    static func invalidValue(_ what: String, _ value: String, _ why: String) -> NetworkError {
        NetworkError("invalid-network-value", "invalid \(what) \(Names.quoted(value)): \(why)", category: .usage)
    }

    static func pluginNotFound(_ type: String, in directories: [String]) -> NetworkError {
        NetworkError(
            "cni-plugin-not-found",
            "CNI plugin \(Names.quoted(type)) was not found in \(directories.joined(separator: ":")); install containernetworking-plugins or set --cni-path"
        )
    }

    static func pluginTimeout(_ invocation: String, _ error: SystemCallError) -> NetworkError {
        NetworkError("cni-plugin-timeout", "\(invocation): \(error.what)")
    }

    static func badPluginOutput(_ invocation: String, _ why: String) -> NetworkError {
        NetworkError("cni-bad-output", "\(invocation) printed no valid result: \(why)")
    }
}

/// The error a CNI plugin prints on standard output when it fails (CNI spec, "Error"): a code (1–99 the
/// spec's, 100+ the plugin's own), a message and details.
public struct CNIPluginError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public var cniVersion: String?
    public var code: Int
    public var msg: String
    public var details: String?

    public init(cniVersion: String? = nil, code: Int, msg: String, details: String? = nil) {
        self.cniVersion = cniVersion
        self.code = code
        self.msg = msg
        self.details = details
    }

    /// The spec's name for a well-known code.
    public var codeName: String? {
        switch code {
        case 1: return "incompatible CNI version"
        case 2: return "unsupported field in network configuration"
        case 3: return "container unknown or does not exist"
        case 4: return "invalid necessary environment variables"
        case 5: return "I/O failure"
        case 6: return "failed to decode content"
        case 7: return "invalid network config"
        case 11: return "try again later"
        default: return nil
        }
    }

    /// `msg (details) [code N: name]`.
    public var description: String {
        var text = msg
        if let details, !details.isEmpty { text += " (\(details))" }
        text += " [code \(code)" + (codeName.map { ": \($0)" } ?? "") + "]"
        return text
    }
}
