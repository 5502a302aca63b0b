import BerthSystem
import Foundation
import OCI

/// What a CNI call is about (CNI spec, "Parameters"): the container, its netns, the interface name, the
/// `CNI_ARGS` pairs and the capability arguments (`portMappings`, `ips`) that plugins declaring them get as
/// `runtimeConfig`.
public struct CNIRuntimeConfig: Sendable, Equatable, Codable {
    public var containerID: String
    /// The netns path; empty on a DEL whose namespace is already gone (the spec allows it).
    public var netns: String
    public var ifname: String
    public var args: [String: String]
    public var capabilityArgs: [String: JSONValue]

    public init(containerID: String, netns: String, ifname: String, args: [String: String] = [:], capabilityArgs: [String: JSONValue] = [:]) {
        self.containerID = containerID
        self.netns = netns
        self.ifname = ifname
        self.args = args
        self.capabilityArgs = capabilityArgs
    }
}

/// The CNI operations of the spec.
public enum CNICommand: String, Sendable {
    case add = "ADD"
    case del = "DEL"
    case check = "CHECK"
    case version = "VERSION"
}

/// Runs CNI plugin binaries as the CNI 1.0 spec says: found by `type` in a list of directories, the
/// operation and parameters in `CNI_*` variables, the network configuration on stdin, the result or error as
/// JSON on stdout. Every call blocks its thread until the plugin ends or `timeout` kills it; calls for
/// different containers may run at the same time (plugins take their own locks).
public struct CNIPlugins: Sendable {
    /// Where plugins are looked for, in order; also passed to them as `CNI_PATH` (bridge finds its IPAM plugin there).
    public var directories: [String]
    /// How long one plugin may run before it is killed.
    public var timeout: Duration

    public static let defaultDirectories = ["/usr/lib/cni"]

    public init(directories: [String] = CNIPlugins.defaultDirectories, timeout: Duration = .seconds(60)) {
        self.directories = directories
        self.timeout = timeout
    }

    /// Directories from a `--cni-path` / `BERTH_CNI_PATH` value (colon-separated, like `CNI_PATH`); the
    /// default when nil or empty.
    public init(path: String?, timeout: Duration = .seconds(60)) {
        let parts = (path ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
        self.init(directories: parts.isEmpty ? CNIPlugins.defaultDirectories : parts, timeout: timeout)
    }

    /// The executable for plugin `type`: the first directory holding it. A type with `/` or a leading dot
    /// is refused, so a configuration cannot name a program elsewhere.
    public func executable(for type: String) throws(NetworkError) -> String {
        guard !type.isEmpty, !type.contains("/"), !type.hasPrefix("."), !type.utf8.contains(0) else {
            throw .invalidValue("CNI plugin type", type, "a plugin is named by a plain file name")
        }
        for directory in directories {
            let path = directory.hasSuffix("/") ? directory + type : directory + "/" + type
            if access(path, X_OK) == 0 { return path }
        }
        throw .pluginNotFound(type, in: directories)
    }

    /// ADD: the chain in order, each plugin getting the previous one's result as `prevResult`; the last
    /// result is the chain's. `afterEach` gets each plugin's result as soon as it is there (the caller caches
    /// it, so a crash in mid-chain still leaves DEL the addresses the firewall plugin needs). On a failure
    /// the plugins that succeeded are not undone here (the caller's DEL does that, as libcni leaves it to
    /// the runtime).
    public func add(
        _ list: CNIConfigList, _ runtime: CNIRuntimeConfig, afterEach: (JSONValue) throws -> Void = { _ in }
    ) throws(NetworkError) -> CNIResult {
        var previous: JSONValue?
        for index in list.plugins.indices {
            let config = list.pluginConfig(index, prevResult: previous, capabilityArgs: runtime.capabilityArgs)
            guard let result = try exec(.add, config: config, runtime: runtime, network: list.name) else {
                throw .badPluginOutput(describe(.add, config, runtime, list.name), "empty output")
            }
            previous = result
            do {
                try afterEach(result)
            } catch let error as NetworkError {
                throw error
            } catch {
                throw NetworkError("network-io", "\(describe(.add, config, runtime, list.name)): cannot keep its result", underlying: error)
            }
        }
        guard let previous else {
            throw NetworkError("invalid-conflist", "network \(Names.quoted(list.name)) has no plugins", category: .usage)
        }
        do {
            return try CNIResult(raw: previous)
        } catch {
            throw .badPluginOutput("network \(Names.quoted(list.name)) ADD", "\(error)")
        }
    }

    /// DEL: the chain in reverse, each plugin getting `cachedResult` (the ADD's) as `prevResult`. Every plugin
    /// runs even when one fails, so that what can be released is; the first failure is thrown afterwards.
    public func delete(_ list: CNIConfigList, _ runtime: CNIRuntimeConfig, cachedResult: JSONValue?) throws(NetworkError) {
        var failure: NetworkError?
        for index in list.plugins.indices.reversed() {
            let config = list.pluginConfig(index, prevResult: cachedResult, capabilityArgs: runtime.capabilityArgs)
            do {
                _ = try exec(.del, config: config, runtime: runtime, network: list.name)
            } catch {
                if failure == nil { failure = error }
            }
        }
        if let failure { throw failure }
    }

    /// CHECK: the chain in order, each plugin getting `cachedResult`; a no-op when the list disables checks.
    public func check(_ list: CNIConfigList, _ runtime: CNIRuntimeConfig, cachedResult: JSONValue) throws(NetworkError) {
        guard !list.disableCheck else { return }
        for index in list.plugins.indices {
            let config = list.pluginConfig(index, prevResult: cachedResult, capabilityArgs: runtime.capabilityArgs)
            _ = try exec(.check, config: config, runtime: runtime, network: list.name)
        }
    }

    /// VERSION of plugin `type`: the versions it supports.
    public func versions(of type: String) throws(NetworkError) -> [String] {
        let config: JSONValue = .object(["cniVersion": .string("1.0.0"), "type": .string(type)])
        let runtime = CNIRuntimeConfig(containerID: "", netns: "", ifname: "")
        guard case .array(let versions)? = try exec(.version, config: config, runtime: runtime, network: "")?["supportedVersions"] else {
            throw .badPluginOutput("CNI plugin \(type) VERSION", "no supportedVersions")
        }
        return versions.compactMap(\.stringValue)
    }

    /// Runs one plugin once: its parsed stdout (nil when empty, as DEL's is), or the plugin's error.
    public func exec(_ command: CNICommand, config: JSONValue, runtime: CNIRuntimeConfig, network: String) throws(NetworkError) -> JSONValue? {
        let type = config["type"]?.stringValue ?? ""
        let executable = try executable(for: type)
        let invocation = describe(command, config, runtime, network)
        let input: Data
        do {
            input = try config.encoded()
        } catch {
            throw NetworkError("invalid-conflist", "\(invocation): configuration cannot be encoded", underlying: error)
        }
        let output: Command.Output
        do {
            var plugin = Command(executable, environment: environment(command, runtime), input: input)
            // A hung plugin is killed with what it started: an iptables left running would change the
            // host after the rollback DEL.
            plugin.ownProcessGroup = true
            output = try plugin.run(timeout: timeout)
        } catch {
            if error.errno == ETIMEDOUT { throw .pluginTimeout(invocation, error) }
            throw NetworkError("cni-plugin-failed", "\(invocation): \(error.description)")
        }
        let stdout = output.stdout
        let parsed =
            stdout.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
            ? nil : try? JSONDecoder().decode(JSONValue.self, from: stdout)
        if output.status != 0 {
            if let parsed, let error = try? parsed.decode(CNIPluginError.self) {
                throw NetworkError("cni-plugin-failed", "\(invocation) failed", underlying: error)
            }
            let stderr = output.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
            let text = stderr.isEmpty ? output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) : stderr
            throw NetworkError("cni-plugin-failed", "\(invocation) failed with exit status \(output.status)" + (text.isEmpty ? "" : ": \(text)"))
        }
        if parsed == nil && !stdout.isEmpty && stdout.contains(where: { $0 > 0x20 }) {
            throw .badPluginOutput(invocation, "not JSON: \(Names.quoted(output.stdoutText, limit: 200))")
        }
        return parsed
    }

    /// This process's environment without any `CNI_*` variable, read once: a chain runs three plugins and
    /// an apply many chains, each of which would otherwise rebuild it from the whole environment.
    private static let inheritedEnvironment: [String: String] = {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CNI_") }
        if environment["PATH"] == nil { environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }
        return environment
    }()

    /// The plugin's environment: this process's without any `CNI_*` variable, then the call's.
    private func environment(_ command: CNICommand, _ runtime: CNIRuntimeConfig) -> [String: String] {
        var environment = Self.inheritedEnvironment
        environment["CNI_COMMAND"] = command.rawValue
        environment["CNI_PATH"] = directories.joined(separator: ":")
        if command != .version {
            environment["CNI_CONTAINERID"] = runtime.containerID
            environment["CNI_NETNS"] = runtime.netns
            environment["CNI_IFNAME"] = runtime.ifname
            if !runtime.args.isEmpty {
                environment["CNI_ARGS"] = runtime.args.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
            }
        }
        return environment
    }

    /// "CNI plugin bridge ADD (network web_default, container web.api, eth0)".
    private func describe(_ command: CNICommand, _ config: JSONValue, _ runtime: CNIRuntimeConfig, _ network: String) -> String {
        let type = config["type"]?.stringValue ?? "?"
        guard command != .version else { return "CNI plugin \(type) VERSION" }
        return "CNI plugin \(type) \(command.rawValue) (network \(network), container \(runtime.containerID), \(runtime.ifname))"
    }
}
