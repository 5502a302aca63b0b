import Diagnostics

/// Reads a Compose Specification file as a Berth manifest: the compose YAML tree is rewritten node by node
/// into the tree berth.yaml would have (`services:` → `containers:`, `working_dir` → `cwd`, `network_mode:
/// host` → `net-host: true`, …), every node keeping its place in the compose file, so the decoder and the
/// validator that follow report problems at the compose file's lines. A key Berth does not carry out gets one
/// located warning (`compose.yaml:14:5: warning: `logging` is not supported by Berth; ignored`).
struct ComposeTranslator {
    let file: String
    /// The keys a container of this Berth takes (a compose key mapped to one it lacks is warned about).
    let containerKeys: Set<String>
    /// The enabled profiles (`--profile`, `COMPOSE_PROFILES`): a service with `profiles:` runs only when one
    /// of its profiles is enabled.
    let profiles: Set<String>
    var diagnostics: [Diagnostic] = []

    init(file: String, containerKeys: [String] = ManifestRules.containerKeys, profiles: Set<String> = []) {
        self.file = file
        self.containerKeys = Set(containerKeys)
        self.profiles = profiles
    }

    /// The compose file names looked up, in compose's order, when no manifest is named and there is no berth.yaml.
    static let defaultFileNames = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"]

    /// Whether `root` is a compose file: a map with `services:`, or a file with one of compose's names.
    static func isCompose(_ root: YAMLNode, path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if defaultFileNames.contains(name) { return true }
        guard case .mapping(let mapping) = root else { return false }
        return mapping.pairs.contains { Self.key($0) == "services" }
    }

    // MARK: Tables

    /// Service keys with another name in Berth (values taken as they are).
    static let renamed: [String: String] = [
        "working_dir": "cwd", "read_only": "readonly", "mem_limit": "memory-limit",
        "pids_limit": "pids-limit", "extra_hosts": "extra-hosts", "dns_search": "dns-search", "stop_signal": "stop-signal",
        "stop_grace_period": "stop-grace-period", "cap_add": "cap-add", "cap_drop": "cap-drop", "security_opt": "security-opt",
        "shm_size": "shm-size", "group_add": "group-add", "oom_score_adj": "oom-score-adj",
    ]
    /// Service keys Berth takes under the same name and form.
    static let same: Set<String> = [
        "image", "expose", "restart", "secrets", "configs", "user", "hostname", "init", "tty", "privileged", "dns",
        "sysctls", "ulimits", "devices", "tmpfs", "ipc", "pid", "platform", "entrypoint", "command",
    ]
    /// Service keys that have no meaning for Berth, with why (the default reason is "not supported").
    static let unsupported: [String: String] = [
        "container_name": "Berth names each container PROJECT.SERVICE", "stdin_open": "Berth does not attach standard input",
    ]

    // MARK: Top level

    mutating func translate(_ root: YAMLNode) -> YAMLNode {
        guard case .mapping(let mapping) = root else { return root }
        var pairs: [YAMLPair] = [Self.pair("version", Self.scalar("1", at: mapping, plain: true), at: mapping)]
        for pair in mapping.pairs {
            guard let key = Self.key(pair) else {
                pairs.append(pair)
                continue
            }
            switch key {
            case "name": pairs.append(pair)
            case "version": warn("`version` is obsolete in the Compose Specification; ignored", at: pair.key)
            case "services": pairs.append(Self.pair("containers", mapValues(enabledServices(pair.value)) { $0.service($1) }, at: pair.key))
            case "networks": pairs.append(Self.pair("networks", mapValues(pair.value) { $0.network($1) }, at: pair.key))
            case "volumes": pairs.append(Self.pair("volumes", mapValues(pair.value) { $0.volume($1) }, at: pair.key))
            case "secrets", "configs": pairs.append(Self.pair(key, mapValues(pair.value) { $0.secret($1) }, at: pair.key))
            default:
                if key.hasPrefix("x-") {
                    pairs.append(pair)
                } else {
                    warn("`\(key)` is not supported by Berth; ignored", at: pair.key)
                }
            }
        }
        return .mapping(YAMLMapping(pairs: pairs, line: mapping.line, column: mapping.column, file: mapping.file))
    }

    // MARK: Services

    /// The services without `profiles:`, and those with an enabled profile (`*` enables all).
    private func enabledServices(_ node: YAMLNode) -> YAMLNode {
        guard case .mapping(let mapping) = node else { return node }
        let pairs = mapping.pairs.filter { pair in
            guard case .mapping(let service) = pair.value, let entry = service.pairs.first(where: { Self.key($0) == "profiles" }) else { return true }
            guard case .sequence(let list) = entry.value else { return true }
            let names = list.items.compactMap(Self.text)
            return profiles.contains("*") || names.contains { profiles.contains($0) }
        }
        return .mapping(YAMLMapping(pairs: pairs, line: mapping.line, column: mapping.column, file: mapping.file))
    }

    mutating func service(_ node: YAMLNode) -> YAMLNode {
        guard case .mapping(let mapping) = node else { return node }
        var pairs: [YAMLPair] = []
        func add(_ key: String, _ value: YAMLNode, at keyNode: YAMLNode) {
            pairs.append(Self.pair(key, value, at: keyNode))
        }
        for pair in mapping.pairs {
            guard let key = Self.key(pair) else { continue }
            if key.hasPrefix("x-") {
                pairs.append(pair)
                continue
            }
            switch key {
            case _ where Self.same.contains(key): supported(key, pair.value, at: pair.key, into: &pairs)
            case _ where Self.renamed[key] != nil: supported(Self.renamed[key] ?? key, pair.value, at: pair.key, into: &pairs)
            case "cpus": add("cpus", Self.plain(pair.value), at: pair.key)
            case "environment": add("env", environment(pair.value), at: pair.key)
            case "env_file": add("env-files", envFiles(pair.value), at: pair.key)
            case "labels": add("labels", labels(pair.value), at: pair.key)
            case "volumes": add("mounts", mounts(pair.value), at: pair.key)
            case "ports": add("ports", ports(pair.value), at: pair.key)
            case "networks": add("networks", memberships(pair.value), at: pair.key)
            case "healthcheck":
                add("healthcheck", renameKeys(pair.value, ["start_period": "start-period", "start_interval": "start-interval"]), at: pair.key)
            case "depends_on": add("depends-on", dependsOn(pair.value), at: pair.key)
            case "pull_policy": pullPolicy(pair, into: &pairs)
            case "network_mode": networkMode(pair, into: &pairs)
            case "deploy": deploy(pair.value, into: &pairs)
            case "profiles": continue
            case "build": add("build", buildSettings(pair.value), at: pair.key)
            default:
                let why = Self.unsupported[key].map { " (\($0))" } ?? ""
                warn("`\(key)` is not supported by Berth\(why); ignored", at: pair.key)
            }
        }
        return .mapping(YAMLMapping(pairs: pairs, line: mapping.line, column: mapping.column, file: mapping.file))
    }

    /// A key carried over when this Berth has the field, else warned about.
    private mutating func supported(_ berthKey: String, _ value: YAMLNode, at keyNode: YAMLNode, into pairs: inout [YAMLPair]) {
        if containerKeys.contains(berthKey) {
            pairs.append(Self.pair(berthKey, value, at: keyNode))
        } else {
            warn("`\(Self.text(keyNode) ?? berthKey)` is not supported by Berth yet; ignored", at: keyNode)
        }
    }

    /// `environment:` map or list; an entry without a value (`FOO:` or `- FOO`) takes Berth's own `$FOO`.
    private func environment(_ node: YAMLNode) -> YAMLNode {
        switch node {
        case .mapping(let mapping):
            let pairs = mapping.pairs.map { pair -> YAMLPair in
                guard case .scalar(let value) = pair.value, value.plain, value.resolvedTag == .null, let key = Self.key(pair) else { return pair }
                return YAMLPair(key: pair.key, value: Self.scalar("${\(key)}", at: pair.value))
            }
            return .mapping(YAMLMapping(pairs: pairs, line: mapping.line, column: mapping.column, file: mapping.file))
        case .sequence(let sequence):
            let items = sequence.items.map { item -> YAMLNode in
                guard let text = Self.text(item), !text.contains("=") else { return item }
                return Self.scalar("\(text)=${\(text)}", at: item)
            }
            return .sequence(YAMLSequence(items: items, line: sequence.line, column: sequence.column, file: sequence.file))
        default:
            return node
        }
    }

    /// `env_file: a.env`, `[a.env, b.env]` or `[{path: a.env, required: false}]` (a missing optional file is left out).
    private mutating func envFiles(_ node: YAMLNode) -> YAMLNode {
        switch node {
        case .scalar: return .sequence(YAMLSequence(items: [node], line: node.position.line, column: node.position.column))
        case .sequence(let sequence):
            var items: [YAMLNode] = []
            for item in sequence.items {
                guard case .mapping(let entry) = item else {
                    items.append(item)
                    continue
                }
                guard let path = entry.pairs.first(where: { Self.key($0) == "path" })?.value else {
                    items.append(item)
                    continue
                }
                let required = entry.pairs.first { Self.key($0) == "required" }.flatMap { Self.text($0.value) }
                if let required, ["false", "False", "no"].contains(required) { optionalEnvFiles.append(path) }
                items.append(path)
                for extra in entry.pairs where !["path", "required"].contains(Self.key(extra) ?? "") {
                    warn("`env_file` setting `\(Self.key(extra) ?? "")` is not supported by Berth; ignored", at: extra.key)
                }
            }
            return .sequence(YAMLSequence(items: items, line: sequence.line, column: sequence.column, file: sequence.file))
        default: return node
        }
    }

    /// `env_file` entries with `required: false` (the loader drops those whose file is missing).
    var optionalEnvFiles: [YAMLNode] = []

    /// `labels: ["a=b"]` as a map; a map as it is.
    private func labels(_ node: YAMLNode) -> YAMLNode {
        guard case .sequence(let sequence) = node else { return node }
        let pairs = sequence.items.map { item -> YAMLPair in
            let text = Self.text(item) ?? ""
            let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return Self.pair(String(parts[0]), Self.scalar(parts.count > 1 ? String(parts[1]) : "", at: item), at: item)
        }
        return .mapping(YAMLMapping(pairs: pairs, line: sequence.line, column: sequence.column, file: sequence.file))
    }

    /// `volumes:` → `mounts:`: short strings as they are; long forms with compose's key names.
    private mutating func mounts(_ node: YAMLNode) -> YAMLNode {
        rewriteSettings(node) { translator, pair, pairs in
            switch Self.key(pair) {
            case "type", "source", "target": pairs.append(pair)
            case "read_only": pairs.append(Self.pair("readonly", pair.value, at: pair.key))
            case "volume":
                guard case .mapping(let options) = pair.value else { return }
                for option in options.pairs {
                    if Self.key(option) == "subpath" {
                        pairs.append(Self.pair("subpath", option.value, at: option.key))
                    } else {
                        translator.warn("volume option `\(Self.key(option) ?? "")` is not supported by Berth; ignored", at: option.key)
                    }
                }
            case "tmpfs":
                guard case .mapping(let options) = pair.value else { return }
                let words = options.pairs.compactMap { option -> YAMLNode? in
                    guard let key = Self.key(option), let value = Self.text(option.value) else { return nil }
                    return Self.scalar(key == "size" ? "size=\(value)" : "mode=\(value)", at: option.value)
                }
                let position = pair.value.position
                pairs.append(Self.pair("options", .sequence(YAMLSequence(items: words, line: position.line, column: position.column)), at: pair.key))
            default:
                translator.warn("mount setting `\(Self.key(pair) ?? "")` is not supported by Berth; ignored", at: pair.key)
            }
        }
    }

    private mutating func ports(_ node: YAMLNode) -> YAMLNode {
        rewriteSettings(node) { translator, pair, pairs in
            switch Self.key(pair) {
            case "target", "published", "protocol": pairs.append(pair)
            case "host_ip": pairs.append(Self.pair("host-ip", pair.value, at: pair.key))
            default: translator.warn("port setting `\(Self.key(pair) ?? "")` is not supported by Berth; ignored", at: pair.key)
            }
        }
    }

    /// Each map among `node`'s entries (the items of a list, or the values of a map) rewritten setting by
    /// setting through `setting`, which appends what it keeps; other entries stay as they are.
    private mutating func rewriteSettings(
        _ node: YAMLNode, _ setting: (inout ComposeTranslator, YAMLPair, inout [YAMLPair]) -> Void
    ) -> YAMLNode {
        func rewrite(_ entry: YAMLNode, _ translator: inout ComposeTranslator) -> YAMLNode {
            guard case .mapping(let mapping) = entry else { return entry }
            var pairs: [YAMLPair] = []
            for pair in mapping.pairs { setting(&translator, pair, &pairs) }
            return .mapping(YAMLMapping(pairs: pairs, line: mapping.line, column: mapping.column, file: mapping.file))
        }
        switch node {
        case .sequence(var sequence):
            for index in sequence.items.indices { sequence.items[index] = rewrite(sequence.items[index], &self) }
            return .sequence(sequence)
        case .mapping(var mapping):
            for index in mapping.pairs.indices { mapping.pairs[index].value = rewrite(mapping.pairs[index].value, &self) }
            return .mapping(mapping)
        case .scalar:
            return node
        }
    }

    /// A service's `networks:` list or map (`ipv4_address` → `ipv4-address`).
    private mutating func memberships(_ node: YAMLNode) -> YAMLNode {
        guard case .mapping = node else { return node }
        return rewriteSettings(node) { translator, setting, kept in
            switch Self.key(setting) {
            case "aliases": kept.append(setting)
            case "ipv4_address": kept.append(Self.pair("ipv4-address", setting.value, at: setting.key))
            default: translator.warn("network setting `\(Self.key(setting) ?? "")` is not supported by Berth; ignored", at: setting.key)
            }
        }
    }

    /// `depends_on` list as it is; the map form's `service_healthy` and friends as Berth's conditions.
    private mutating func dependsOn(_ node: YAMLNode) -> YAMLNode {
        guard case .mapping = node else { return node }
        let conditions = ["service_started": "started", "service_healthy": "healthy", "service_completed_successfully": "completed-successfully"]
        return rewriteSettings(node) { translator, setting, kept in
            switch Self.key(setting) {
            case "condition":
                let text = Self.text(setting.value) ?? ""
                kept.append(Self.pair("condition", Self.scalar(conditions[text] ?? text, at: setting.value), at: setting.key))
            case "required" where Self.text(setting.value) == "true": return
            default: translator.warn("`depends_on` setting `\(Self.key(setting) ?? "")` is not supported by Berth; ignored", at: setting.key)
            }
        }
    }

    /// `build:` with compose's key names; settings Berth does not carry out are warned about.
    private mutating func buildSettings(_ node: YAMLNode) -> YAMLNode {
        guard case .mapping(let mapping) = node else { return node }
        let names = ["dockerfile_inline": "dockerfile-inline", "no_cache": "no-cache"]
        var pairs: [YAMLPair] = []
        for pair in mapping.pairs {
            let key = Self.key(pair) ?? ""
            if ["context", "dockerfile", "args", "target", "labels", "pull", "platforms"].contains(key) {
                pairs.append(pair)
            } else if let renamed = names[key] {
                pairs.append(Self.pair(renamed, pair.value, at: pair.key))
            } else {
                warn("build setting `\(key)` is not supported by Berth; ignored", at: pair.key)
            }
        }
        return .mapping(YAMLMapping(pairs: pairs, line: mapping.line, column: mapping.column, file: mapping.file))
    }

    private mutating func pullPolicy(_ pair: YAMLPair, into pairs: inout [YAMLPair]) {
        let values = ["always": "always", "never": "never", "missing": "missing", "if_not_present": "missing"]
        guard let text = Self.text(pair.value), let policy = values[text] else {
            warn("`pull_policy` `\(Self.text(pair.value) ?? "")` is not supported by Berth (always, never, missing); ignored", at: pair.value)
            return
        }
        pairs.append(Self.pair("pull", Self.scalar(policy, at: pair.value), at: pair.key))
    }

    /// `network_mode`: `host`, `none`, `service:NAME` / `container:NAME` (join its network namespace).
    private mutating func networkMode(_ pair: YAMLPair, into pairs: inout [YAMLPair]) {
        let text = Self.text(pair.value) ?? ""
        switch text {
        case "host": pairs.append(Self.pair("net-host", Self.scalar("true", at: pair.value, plain: true), at: pair.key))
        case "none": pairs.append(Self.pair("net-none", Self.scalar("true", at: pair.value, plain: true), at: pair.key))
        case "bridge", "default": return
        default:
            for prefix in ["service:", "container:"] where text.hasPrefix(prefix) {
                let join = YAMLNode.mapping(
                    YAMLMapping(
                        pairs: [
                            Self.pair("type", Self.scalar("network", at: pair.value), at: pair.value),
                            Self.pair("container", Self.scalar(String(text.dropFirst(prefix.count)), at: pair.value), at: pair.value),
                        ], line: pair.value.position.line, column: pair.value.position.column))
                pairs.append(
                    Self.pair(
                        "with-ns", .sequence(YAMLSequence(items: [join], line: pair.value.position.line, column: pair.value.position.column)),
                        at: pair.key))
                return
            }
            warn("`network_mode` `\(text)` is not supported by Berth (host, none, service:NAME); ignored", at: pair.value)
        }
    }

    /// `deploy.resources.limits` (memory, cpus, pids) and `replicas: 1`; the rest is warned about.
    private mutating func deploy(_ node: YAMLNode, into pairs: inout [YAMLPair]) {
        guard case .mapping(let deploy) = node else { return }
        for pair in deploy.pairs {
            switch Self.key(pair) {
            case "replicas" where Self.text(pair.value) == "1": continue
            case "resources":
                guard case .mapping(let resources) = pair.value else { continue }
                for resource in resources.pairs {
                    guard Self.key(resource) == "limits", case .mapping(let limits) = resource.value else {
                        warn("`deploy.resources.\(Self.key(resource) ?? "")` is not supported by Berth; ignored", at: resource.key)
                        continue
                    }
                    for limit in limits.pairs {
                        switch Self.key(limit) {
                        case "memory": pairs.append(Self.pair("memory-limit", limit.value, at: limit.key))
                        case "cpus": pairs.append(Self.pair("cpus", Self.plain(limit.value), at: limit.key))
                        case "pids": pairs.append(Self.pair("pids-limit", Self.plain(limit.value), at: limit.key))
                        default: warn("`deploy.resources.limits.\(Self.key(limit) ?? "")` is not supported by Berth; ignored", at: limit.key)
                        }
                    }
                }
            default: warn("`deploy.\(Self.key(pair) ?? "")` is not supported by Berth; ignored", at: pair.key)
            }
        }
    }

    // MARK: Networks, volumes, secrets

    /// `driver`, `ipam.config[0].subnet/gateway`, `internal`, `external` (with `name`).
    private mutating func network(_ node: YAMLNode) -> YAMLNode {
        guard case .mapping(let mapping) = node else { return node }
        var pairs: [YAMLPair] = []
        var externalName: YAMLNode?
        for pair in mapping.pairs {
            switch Self.key(pair) {
            case "internal", "external": pairs.append(pair)
            case "name": externalName = pair.value
            case "driver" where Self.text(pair.value) == "bridge": continue
            case "ipam":
                guard case .mapping(let ipam) = pair.value else { continue }
                for setting in ipam.pairs {
                    guard Self.key(setting) == "config", case .sequence(let configs) = setting.value, let first = configs.items.first,
                        case .mapping(let config) = first
                    else {
                        if Self.key(setting) != "driver" {
                            warn("`ipam.\(Self.key(setting) ?? "")` is not supported by Berth; ignored", at: setting.key)
                        }
                        continue
                    }
                    for entry in config.pairs where ["subnet", "gateway"].contains(Self.key(entry) ?? "") { pairs.append(entry) }
                    if configs.items.count > 1 { warn("only the first `ipam.config` entry is used", at: configs.items[1]) }
                }
            default: warn("network setting `\(Self.key(pair) ?? "")` is not supported by Berth; ignored", at: pair.key)
            }
        }
        if let externalName, let index = pairs.firstIndex(where: { Self.key($0) == "external" }), Self.text(pairs[index].value) == "true" {
            pairs[index] = Self.pair("external", externalName, at: pairs[index].key)
        }
        return .mapping(YAMLMapping(pairs: pairs, line: mapping.line, column: mapping.column, file: mapping.file))
    }

    private mutating func volume(_ node: YAMLNode) -> YAMLNode {
        guard case .mapping(let mapping) = node else { return node }
        var pairs: [YAMLPair] = []
        var externalName: YAMLNode?
        for pair in mapping.pairs {
            switch Self.key(pair) {
            case "external", "labels": pairs.append(pair)
            case "driver_opts": pairs.append(Self.pair("driver-opts", pair.value, at: pair.key))
            case "name": externalName = pair.value
            case "driver" where Self.text(pair.value) == "local": continue
            default: warn("volume setting `\(Self.key(pair) ?? "")` is not supported by Berth; ignored", at: pair.key)
            }
        }
        if let externalName, let index = pairs.firstIndex(where: { Self.key($0) == "external" }), Self.text(pairs[index].value) == "true" {
            pairs[index] = Self.pair("external", externalName, at: pairs[index].key)
        }
        return .mapping(YAMLMapping(pairs: pairs, line: mapping.line, column: mapping.column, file: mapping.file))
    }

    private mutating func secret(_ node: YAMLNode) -> YAMLNode {
        guard case .mapping(let mapping) = node else { return node }
        var pairs: [YAMLPair] = []
        for pair in mapping.pairs {
            switch Self.key(pair) {
            case "file", "environment", "content": pairs.append(pair)
            default: warn("`\(Self.key(pair) ?? "")` of a secret or config is not supported by Berth; ignored", at: pair.key)
            }
        }
        return .mapping(YAMLMapping(pairs: pairs, line: mapping.line, column: mapping.column, file: mapping.file))
    }

    // MARK: Nodes

    private mutating func warn(_ message: String, at node: YAMLNode) {
        let position = node.position
        diagnostics.append(.warning(at: SourceLocation(file: node.file ?? file, line: position.line, column: position.column), message))
    }

    private mutating func mapValues(_ node: YAMLNode, _ transform: (inout ComposeTranslator, YAMLNode) -> YAMLNode) -> YAMLNode {
        guard case .mapping(let mapping) = node else { return node }
        let pairs = mapping.pairs.map { YAMLPair(key: $0.key, value: transform(&self, $0.value)) }
        return .mapping(YAMLMapping(pairs: pairs, line: mapping.line, column: mapping.column, file: mapping.file))
    }

    private func renameKeys(_ node: YAMLNode, _ names: [String: String]) -> YAMLNode {
        guard case .mapping(let mapping) = node else { return node }
        let pairs = mapping.pairs.map { pair -> YAMLPair in
            guard let key = Self.key(pair), let renamed = names[key] else { return pair }
            return Self.pair(renamed, pair.value, at: pair.key)
        }
        return .mapping(YAMLMapping(pairs: pairs, line: mapping.line, column: mapping.column, file: mapping.file))
    }

    static func key(_ pair: YAMLPair) -> String? { text(pair.key) }

    static func text(_ node: YAMLNode) -> String? {
        if case .scalar(let scalar) = node { return scalar.string }
        return nil
    }

    static func scalar(_ text: String, at node: YAMLNode, plain: Bool = false) -> YAMLNode {
        let position = node.position
        return .scalar(YAMLScalar(string: text, plain: plain, tag: nil, line: position.line, column: position.column, file: node.file))
    }

    static func scalar(_ text: String, at mapping: YAMLMapping, plain: Bool) -> YAMLNode {
        .scalar(YAMLScalar(string: text, plain: plain, tag: nil, line: mapping.line, column: mapping.column, file: mapping.file))
    }

    /// A quoted number (`cpus: "0.5"`) read as a number, as compose does.
    static func plain(_ node: YAMLNode) -> YAMLNode {
        guard case .scalar(var scalar) = node, Double(scalar.string) != nil else { return node }
        scalar.plain = true
        return .scalar(scalar)
    }

    static func pair(_ key: String, _ value: YAMLNode, at node: YAMLNode) -> YAMLPair {
        YAMLPair(key: scalar(key, at: node), value: value)
    }

    static func pair(_ key: String, _ value: YAMLNode, at mapping: YAMLMapping) -> YAMLPair {
        YAMLPair(key: scalar(key, at: mapping, plain: false), value: value)
    }
}
