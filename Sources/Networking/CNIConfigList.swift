import BerthSystem
import Foundation
import OCI

/// A CNI network configuration list (a "conflist"): a network name, the CNI version and the plugin chain,
/// each plugin an open JSON object with at least `type`.
public struct CNIConfigList: Sendable, Equatable {
    public var cniVersion: String
    public var name: String
    public var plugins: [[String: JSONValue]]
    /// `disableCheck`: CHECK is then a no-op, as the spec says.
    public var disableCheck: Bool

    public init(cniVersion: String, name: String, plugins: [[String: JSONValue]], disableCheck: Bool = false) {
        self.cniVersion = cniVersion
        self.name = name
        self.plugins = plugins
        self.disableCheck = disableCheck
    }

    /// Reads a conflist document; throws naming what is missing.
    public init(json: Data) throws(NetworkError) {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: json)
        } catch {
            throw NetworkError("invalid-conflist", "not a JSON network configuration list", category: .usage, underlying: error)
        }
        guard let name = value["name"]?.stringValue, let version = value["cniVersion"]?.stringValue,
            case .array(let items)? = value["plugins"]
        else {
            throw NetworkError("invalid-conflist", "a network configuration list needs `name`, `cniVersion` and `plugins`", category: .usage)
        }
        var plugins: [[String: JSONValue]] = []
        for item in items {
            guard case .object(let plugin) = item, plugin["type"]?.stringValue != nil else {
                throw NetworkError("invalid-conflist", "network \(Names.quoted(name)): every plugin needs a `type`", category: .usage)
            }
            plugins.append(plugin)
        }
        self.init(cniVersion: version, name: name, plugins: plugins, disableCheck: value["disableCheck"] == .bool(true))
    }

    /// The document as JSON with sorted keys: the same list always gives the same bytes.
    public var json: Data {
        var fields: [String: JSONValue] = [
            "cniVersion": .string(cniVersion), "name": .string(name), "plugins": .array(plugins.map { .object($0) }),
        ]
        if disableCheck { fields["disableCheck"] = .bool(true) }
        // Encoding a tree of strings, numbers and objects cannot fail.
        return (try? JSONValue.object(fields).encoded(pretty: true)) ?? Data()
    }

    /// The configuration one plugin of the chain gets on stdin (CNI spec, "Deriving execution
    /// configuration from plugin configuration"): its own object with the list's `name` and `cniVersion`,
    /// `prevResult` when given, and `runtimeConfig` holding the capability arguments it declared in
    /// `capabilities`.
    func pluginConfig(_ index: Int, prevResult: JSONValue?, capabilityArgs: [String: JSONValue]) -> JSONValue {
        var config = plugins[index]
        config["name"] = .string(name)
        config["cniVersion"] = .string(cniVersion)
        config["prevResult"] = prevResult
        var runtime: [String: JSONValue] = [:]
        if case .object(let capabilities)? = config["capabilities"] {
            for (key, enabled) in capabilities where enabled == .bool(true) {
                if let value = capabilityArgs[key] { runtime[key] = value }
            }
        }
        config["runtimeConfig"] = runtime.isEmpty ? nil : .object(runtime)
        return .object(config)
    }
}
