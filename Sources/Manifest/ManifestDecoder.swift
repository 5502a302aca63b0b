import Diagnostics
import Yams

/// Turns the YAML node tree into a `ManifestDescription`, reporting structural problems (unknown keys,
/// wrong types, duplicate keys). Value rules are the validator's job.
struct ManifestDecoder {
    var reader: YAMLReader

    init(file: String, variables: [String: String]) {
        reader = YAMLReader(file: file, variables: variables)
    }

    var diagnostics: [Diagnostic] { reader.diagnostics }

    mutating func decode(_ root: YAMLNode) -> ManifestDescription? {
        guard case .mapping(let mapping) = root else {
            reader.diagnostics.append(ManifestDiagnostics.rootNotMap(got: YAMLReader.describe(root), at: reader.location(root)))
            return nil
        }
        var description = ManifestDescription(root: reader.location(root))
        for (key, value) in reader.pairs(mapping) {
            description.keys.insert(key.value)
            switch key.value {
            case "version": description.version = reader.integer(value, field: "version")
            case "name": description.name = reader.string(value, field: "name")
            case "containers":
                description.containersLocation = reader.location(value)
                if let containers = reader.mapping(value, field: "containers", expected: "a map of container names to definitions") {
                    let entries = reader.pairs(containers)
                    description.containerEntries = entries.count
                    description.containers = entries.compactMap { decodeContainer(name: $0.key, $0.value) }
                }
            case "volumes":
                if case .scalar(let s) = value, s.resolvedTag == .null { break }
                if let volumes = reader.mapping(value, field: "volumes", expected: "a map of volume names to settings") {
                    description.volumes = reader.pairs(volumes).compactMap { decodeVolume(name: $0.key, $0.value) }
                }
            case "secrets", "configs":
                if case .scalar(let s) = value, s.resolvedTag == .null { break }
                if let entries = reader.mapping(
                    value, field: key.value, expected: "a map of names to {file | environment\(key.value == "configs" ? " | content" : "")}")
                {
                    let decoded = reader.pairs(entries).compactMap { decodeSecret(name: $0.key, $0.value, configs: key.value == "configs") }
                    if key.value == "secrets" { description.secrets = decoded } else { description.configs = decoded }
                }
            case "networks":
                if let networks = reader.mapping(value, field: "networks", expected: "a map of network names to settings") {
                    description.networks = reader.pairs(networks).compactMap { decodeNetwork(name: $0.key, $0.value) }
                }
            default:
                reportUnknown(key, in: "the manifest", valid: ManifestRules.topLevelKeys)
            }
        }
        return description
    }

    private mutating func reportUnknown(_ key: Located<String>, in context: String, valid: [String]) {
        guard !key.value.hasPrefix("x-") else { return }
        reader.diagnostics.append(ManifestDiagnostics.unknownKey(key.value, in: context, valid: valid, at: key.location))
    }

    private mutating func decodeContainer(name: Located<String>, _ node: YAMLNode) -> ContainerDescription? {
        guard let mapping = reader.mapping(node, field: "containers.\(name.value)", expected: "a map of container settings") else {
            return nil
        }
        var c = ContainerDescription(name: name)
        for (key, value) in reader.pairs(mapping) {
            c.fieldLocations[key.value] = reader.location(value)
            decodeField(key, value, into: &c)
        }
        return c
    }

    private mutating func decodeField(_ key: Located<String>, _ value: YAMLNode, into c: inout ContainerDescription) {
        let field = key.value
        switch field {
        case "image": c.image = reader.string(value, field: field)
        case "args": c.args = reader.stringList(value, field: field)
        case "cwd": c.cwd = reader.string(value, field: field)
        case "env": c.env = decodeEnv(value)
        case "env-files": c.envFiles = reader.stringList(value, field: field, allowSingle: true)
        case "mounts": c.mounts = decodeList(value, field: field, expected: "a list of mounts") { $0.decodeMount($1) }
        case "with-ns": c.withNamespaces = decodeList(value, field: field, expected: "a list of namespaces to join") { $0.decodeNamespace($1) }
        case "checkpoint": c.checkpoint = reader.string(value, field: field)
        case "readonly": c.readonly = reader.bool(value, field: field)
        case "tty": c.tty = reader.bool(value, field: field)
        case "net-host": c.netHost = reader.bool(value, field: field)
        case "labels": c.labels = decodeStringMap(value, field: field)
        case "user": c.user = reader.string(value, field: field, lenient: true)
        case "hostname": c.hostname = reader.string(value, field: field)
        case "privileged": c.privileged = reader.bool(value, field: field)
        case "memory-limit": c.memoryLimit = decodeMemory(value)
        case "cpus": c.cpus = reader.number(value, field: field)
        case "pids-limit": c.pidsLimit = reader.integer(value, field: field)
        case "runtime": c.runtime = reader.string(value, field: field)
        case "snapshotter": c.snapshotter = reader.string(value, field: field)
        case "pull": c.pull = reader.string(value, field: field)
        case "restore": c.restore = reader.string(value, field: field)
        case "rootfs": c.rootfs = reader.string(value, field: field)
        case "no-pivot": c.noPivot = reader.bool(value, field: field)
        case "config": c.config = reader.string(value, field: field)
        case "depends-on": decodeDependsOn(value, into: &c)
        case "restart": c.restart = reader.string(value, field: field)
        case "restart-on-unhealthy": c.restartOnUnhealthy = reader.bool(value, field: field)
        case "healthcheck": c.healthcheck = decodeHealthCheck(value)
        case "stop-signal": c.stopSignal = reader.string(value, field: field, lenient: true)
        case "stop-grace-period": c.stopGracePeriod = reader.string(value, field: field, lenient: true)
        case "init": c.initProcess = reader.bool(value, field: field)
        case "build": c.build = decodeBuild(value)
        case "entrypoint": c.entrypoint = decodeCommandLine(value, field: field)
        case "command": c.command = decodeCommandLine(value, field: field)
        case "secrets": c.secrets = decodeSecretReferences(value, field: field)
        case "configs": c.configs = decodeSecretReferences(value, field: field)
        case "ports": c.ports = decodeList(value, field: field, expected: "a list of ports") { $0.decodePort($1) }
        case "expose": c.expose = reader.stringList(value, field: field)
        case "networks": c.networks = decodeMemberships(value)
        case "net-none": c.netNone = reader.bool(value, field: field)
        case "dns": c.dns = reader.stringList(value, field: field, allowSingle: true)
        case "dns-search": c.dnsSearch = reader.stringList(value, field: field, allowSingle: true)
        case "extra-hosts": c.extraHosts = decodeExtraHosts(value)
        case "seccomp", "no-new-privileges", "cap-add", "cap-drop", "security-opt", "read-only", "sysctls", "ulimits", "devices",
            "shm-size", "tmpfs", "group-add", "oom-score-adj", "ipc", "pid", "platform":
            decodeKernelOption(field, value, into: &c.kernel)
        default:
            c.fieldLocations[field] = nil
            reportUnknown(key, in: "container `\(c.name.value)`", valid: ManifestRules.containerKeys)
        }
    }

    private mutating func decodeList<T>(
        _ node: YAMLNode, field: String, expected: String,
        _ item: (inout ManifestDecoder, YAMLNode) -> T?
    ) -> Located<[Located<T>]>? {
        guard let seq = reader.sequence(node, field: field, expected: expected) else { return nil }
        var items: [Located<T>] = []
        for element in seq.items {
            if let value = item(&self, element) { items.append(Located(value, at: reader.location(element))) }
        }
        return Located(items, at: reader.location(node))
    }

    private mutating func decodeStringMap(_ node: YAMLNode, field: String) -> Located<[(key: Located<String>, value: Located<String>)]>? {
        guard let mapping = reader.mapping(node, field: field, expected: "a map of strings") else { return nil }
        let pairs = reader.pairs(mapping).compactMap { pair -> (key: Located<String>, value: Located<String>)? in
            guard let value = reader.string(pair.value, field: "\(field).\(pair.key.value)", lenient: true) else { return nil }
            return (pair.key, value)
        }
        return Located(pairs, at: reader.location(node))
    }

    private mutating func decodeEnv(_ node: YAMLNode) -> Located<[EnvEntryDescription]>? {
        switch node {
        case .mapping:
            return decodeStringMap(node, field: "env").map { map in
                Located(map.value.map { EnvEntryDescription.pair(key: $0.key, value: $0.value) }, at: map.location)
            }
        case .sequence:
            return reader.stringList(node, field: "env").map { list in
                Located(list.value.map { EnvEntryDescription.line($0) }, at: list.location)
            }
        default:
            reader.diagnostics.append(
                ManifestDiagnostics.wrongType(
                    "env", expected: "a map or a list of \"K=V\" strings",
                    got: YAMLReader.describe(node), at: reader.location(node)))
            return nil
        }
    }

    private mutating func decodeMemory(_ node: YAMLNode) -> Located<MemoryLimitDescription>? {
        guard let s = reader.scalar(node, field: "memory-limit", expected: "bytes or a size such as 64m") else { return nil }
        switch s.kind {
        case .int:
            if let bytes = Int64(s.text) { return Located(.bytes(bytes), at: s.location) }
            return Located(.text(s.text), at: s.location)
        case .string, .float:
            return Located(.text(s.text), at: s.location)
        case .bool, .null:
            reader.diagnostics.append(
                ManifestDiagnostics.wrongType(
                    "memory-limit", expected: "bytes or a size such as 64m",
                    got: YAMLReader.describe(node), at: s.location))
            return nil
        }
    }

    private mutating func decodeMount(_ node: YAMLNode) -> MountDescription? {
        if case .scalar = node {
            return reader.string(node, field: "mounts").map { .line($0.value) }
        }
        guard let mapping = reader.mapping(node, field: "mounts", expected: "a mount map or a \"type=…,src=…,dst=…\" string") else {
            return nil
        }
        var type: Located<String>?, source: Located<String>?, destination: Located<String>?
        var options: [Located<String>]?, readonly: Located<Bool>?, subpath: Located<String>?
        for (key, value) in reader.pairs(mapping) {
            switch key.value {
            case "type": type = reader.string(value, field: "type")
            case "source": source = reader.string(value, field: "source")
            case "destination", "target": destination = reader.string(value, field: key.value)
            case "options": options = reader.stringList(value, field: "options")?.value
            case "readonly": readonly = reader.bool(value, field: "readonly")
            case "subpath": subpath = reader.string(value, field: "subpath")
            default: reportUnknown(key, in: "a mount", valid: ManifestRules.mountKeys)
            }
        }
        return .long(type: type, source: source, destination: destination, options: options, readonly: readonly, subpath: subpath)
    }

    private mutating func decodeNamespace(_ node: YAMLNode) -> NamespaceDescription? {
        if case .scalar = node {
            return reader.string(node, field: "with-ns").map { .line($0.value) }
        }
        guard let mapping = reader.mapping(node, field: "with-ns", expected: "a \"type:path\" string or a map") else {
            return nil
        }
        var type: Located<String>?, path: Located<String>?, container: Located<String>?
        for (key, value) in reader.pairs(mapping) {
            switch key.value {
            case "type": type = reader.string(value, field: "type")
            case "path": path = reader.string(value, field: "path")
            case "container": container = reader.string(value, field: "container")
            default: reportUnknown(key, in: "a `with-ns` entry", valid: ManifestRules.namespaceKeys)
            }
        }
        return .long(type: type, path: path, container: container)
    }

    /// `build: DIR` or `build: {context, dockerfile, dockerfile-inline, args, target, labels, no-cache, pull, platforms}`.
    private mutating func decodeBuild(_ node: YAMLNode) -> Located<BuildDescription>? {
        var build = BuildDescription()
        if case .scalar = node {
            build.context = reader.string(node, field: "build")
            return Located(build, at: reader.location(node))
        }
        guard let mapping = reader.mapping(node, field: "build", expected: "a context directory or a map with `context`") else { return nil }
        for (key, value) in reader.pairs(mapping) {
            switch key.value {
            case "context": build.context = reader.string(value, field: "context")
            case "dockerfile": build.dockerfile = reader.string(value, field: "dockerfile")
            case "dockerfile-inline": build.dockerfileInline = reader.string(value, field: "dockerfile-inline", lenient: true)
            case "args": build.args = decodeKeyValues(value, field: "args")
            case "labels": build.labels = decodeKeyValues(value, field: "labels")
            case "target": build.target = reader.string(value, field: "target")
            case "no-cache": build.noCache = reader.bool(value, field: "no-cache")
            case "pull": build.pull = reader.bool(value, field: "pull")
            case "platforms": build.platforms = reader.stringList(value, field: "platforms", allowSingle: true)?.value ?? []
            default: reportUnknown(key, in: "build", valid: ManifestRules.buildKeys)
            }
        }
        return Located(build, at: reader.location(node))
    }

    /// A map of strings, or a list of `K=V` (a bare `K` is an empty value).
    private mutating func decodeKeyValues(_ node: YAMLNode, field: String) -> [(key: Located<String>, value: Located<String>)] {
        if case .mapping = node { return decodeStringMap(node, field: field)?.value ?? [] }
        return (reader.stringList(node, field: field)?.value ?? []).map { item in
            let parts = item.value.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Located(String(parts[0]), at: item.location), Located(parts.count > 1 ? String(parts[1]) : "", at: item.location))
        }
    }

    /// A list of words, or one string split as a shell splits words (quotes and backslashes, no expansion).
    private mutating func decodeCommandLine(_ node: YAMLNode, field: String) -> Located<[Located<String>]>? {
        guard case .scalar = node else { return reader.stringList(node, field: field) }
        guard let text = reader.string(node, field: field, lenient: true) else { return nil }
        guard let words = ShellWords.split(text.value) else {
            reader.diagnostics.append(ManifestDiagnostics.unbalancedQuotes(field, text.value, at: text.location))
            return nil
        }
        return Located(words.map { Located($0, at: text.location) }, at: text.location)
    }

    // MARK: Secrets and configs

    private mutating func decodeSecret(name: Located<String>, _ node: YAMLNode, configs: Bool) -> SecretDescription? {
        let field = configs ? "configs" : "secrets"
        guard let mapping = reader.mapping(node, field: "\(field).\(name.value)", expected: "a map with `file` or `environment`") else {
            return nil
        }
        var secret = SecretDescription(name: name)
        for (key, value) in reader.pairs(mapping) {
            switch key.value {
            case "file": secret.file = reader.string(value, field: "file")
            case "environment": secret.environment = reader.string(value, field: "environment")
            case "content" where configs: secret.content = reader.string(value, field: "content", lenient: true)
            default:
                reportUnknown(
                    key, in: "\(configs ? "config" : "secret") `\(name.value)`", valid: configs ? ManifestRules.configKeys : ManifestRules.secretKeys)
            }
        }
        return secret
    }

    /// `secrets: [a, b]` or `secrets: [{source: a, target: …, uid: "1000", gid: "1000", mode: 0440}]`.
    private mutating func decodeSecretReferences(_ node: YAMLNode, field: String) -> Located<[Located<SecretReferenceDescription>]>? {
        decodeList(node, field: field, expected: "a list of names or {source, target, uid, gid, mode}") { decoder, item in
            if case .scalar = item {
                return decoder.reader.string(item, field: field).map { SecretReferenceDescription(source: $0) }
            }
            guard let mapping = decoder.reader.mapping(item, field: field, expected: "a name or {source, target, uid, gid, mode}") else { return nil }
            var source: Located<String>?, target: Located<String>?, uid: Located<String>?, gid: Located<String>?, mode: Located<String>?
            for (key, value) in decoder.reader.pairs(mapping) {
                switch key.value {
                case "source": source = decoder.reader.string(value, field: "source")
                case "target": target = decoder.reader.string(value, field: "target")
                case "uid": uid = decoder.reader.string(value, field: "uid", lenient: true)
                case "gid": gid = decoder.reader.string(value, field: "gid", lenient: true)
                case "mode": mode = decoder.reader.string(value, field: "mode", lenient: true)
                default: decoder.reportUnknown(key, in: "a \(field) entry", valid: ManifestRules.secretReferenceKeys)
                }
            }
            guard let source else {
                decoder.reader.diagnostics.append(
                    ManifestDiagnostics.missingKey("source", in: "a `\(field)` entry", at: decoder.reader.location(item)))
                return nil
            }
            return SecretReferenceDescription(source: source, target: target, uid: uid, gid: gid, mode: mode)
        }
    }

    // MARK: Volumes

    private mutating func decodeVolume(name: Located<String>, _ node: YAMLNode) -> VolumeDescription? {
        var volume = VolumeDescription(name: name)
        if case .scalar(let scalar) = node, scalar.resolvedTag == .null { return volume }
        guard let mapping = reader.mapping(node, field: "volumes.\(name.value)", expected: "a map of volume settings or {}") else {
            return nil
        }
        for (key, value) in reader.pairs(mapping) {
            switch key.value {
            case "external":
                if case .scalar(let s) = value, s.resolvedTag == .bool {
                    if reader.bool(value, field: "external")?.value == true { volume.external = Located(name.value, at: reader.location(value)) }
                } else {
                    volume.external = reader.string(value, field: "external")
                }
            case "labels": volume.labels = decodeStringMap(value, field: "labels")?.value ?? []
            case "driver-opts": volume.driverOpts = decodeStringMap(value, field: "driver-opts")?.value ?? []
            default: reportUnknown(key, in: "volume `\(name.value)`", valid: ManifestRules.volumeKeys)
            }
        }
        return volume
    }

    // MARK: Networks

    private mutating func decodeNetwork(name: Located<String>, _ node: YAMLNode) -> NetworkDescription? {
        var network = NetworkDescription(name: name)
        if case .scalar(let scalar) = node, scalar.resolvedTag == .null { return network }
        guard let mapping = reader.mapping(node, field: "networks.\(name.value)", expected: "a map of network settings or {}") else {
            return nil
        }
        for (key, value) in reader.pairs(mapping) {
            switch key.value {
            case "subnet": network.subnet = reader.string(value, field: "subnet")
            case "gateway": network.gateway = reader.string(value, field: "gateway")
            case "internal": network.isInternal = reader.bool(value, field: "internal")
            case "external":
                if case .scalar(let s) = value, s.resolvedTag == .bool {
                    if reader.bool(value, field: "external")?.value == true { network.external = Located(name.value, at: reader.location(value)) }
                } else {
                    network.external = reader.string(value, field: "external")
                }
            default: reportUnknown(key, in: "network `\(name.value)`", valid: ManifestRules.networkKeys)
            }
        }
        return network
    }

    private mutating func decodePort(_ node: YAMLNode) -> PortDescription? {
        if case .scalar = node {
            return reader.string(node, field: "ports", lenient: true).map { .short($0) }
        }
        guard let mapping = reader.mapping(node, field: "ports", expected: "a \"[HOST-IP:]PUBLISHED:TARGET[/PROTOCOL]\" string or a map") else {
            return nil
        }
        var target: Located<String>?, published: Located<String>?, hostIP: Located<String>?, proto: Located<String>?
        for (key, value) in reader.pairs(mapping) {
            switch key.value {
            case "target": target = reader.string(value, field: "target", lenient: true)
            case "published": published = reader.string(value, field: "published", lenient: true)
            case "host-ip": hostIP = reader.string(value, field: "host-ip")
            case "protocol": proto = reader.string(value, field: "protocol")
            default: reportUnknown(key, in: "a port", valid: ManifestRules.portKeys)
            }
        }
        return .long(target: target, published: published, hostIP: hostIP, proto: proto)
    }

    /// `networks: [a, b]` or `networks: {a: {aliases: [...], ipv4-address: ...}, b: {}}`.
    private mutating func decodeMemberships(_ node: YAMLNode) -> Located<[NetworkMembershipDescription]>? {
        if case .sequence = node {
            return reader.stringList(node, field: "networks").map { list in
                Located(list.value.map { NetworkMembershipDescription(name: $0) }, at: list.location)
            }
        }
        guard let mapping = reader.mapping(node, field: "networks", expected: "a list of network names or a map") else { return nil }
        var memberships: [NetworkMembershipDescription] = []
        for (key, value) in reader.pairs(mapping) {
            var membership = NetworkMembershipDescription(name: key)
            if case .scalar(let s) = value, s.resolvedTag == .null {
                memberships.append(membership)
                continue
            }
            guard let settings = reader.mapping(value, field: "networks.\(key.value)", expected: "a map of settings or {}") else { continue }
            for (setting, item) in reader.pairs(settings) {
                switch setting.value {
                case "aliases": membership.aliases = reader.stringList(item, field: "aliases")?.value ?? []
                case "ipv4-address": membership.ipv4Address = reader.string(item, field: "ipv4-address")
                default: reportUnknown(setting, in: "network `\(key.value)` of a container", valid: ManifestRules.membershipKeys)
                }
            }
            memberships.append(membership)
        }
        return Located(memberships, at: reader.location(node))
    }

    // MARK: Services

    /// `depends-on: [a, b]` or `depends-on: {a: {condition: healthy, timeout: 60s}, b: {}}`.
    private mutating func decodeDependsOn(_ node: YAMLNode, into c: inout ContainerDescription) {
        if case .sequence = node {
            c.dependsOn = reader.stringList(node, field: "depends-on")
            return
        }
        guard let mapping = reader.mapping(node, field: "depends-on", expected: "a list of container names or a map") else { return }
        var names: [Located<String>] = []
        for (key, value) in reader.pairs(mapping) {
            names.append(key)
            var dependency = DependencyDescription()
            if case .scalar(let s) = value, s.resolvedTag == .null {
                c.dependencyConditions[key.value] = dependency
                continue
            }
            guard let settings = reader.mapping(value, field: "depends-on.\(key.value)", expected: "a map with `condition` or {}") else {
                continue
            }
            for (setting, item) in reader.pairs(settings) {
                switch setting.value {
                case "condition": dependency.condition = reader.string(item, field: "condition")
                case "timeout": dependency.timeout = reader.string(item, field: "timeout", lenient: true)
                default: reportUnknown(setting, in: "dependency `\(key.value)`", valid: ManifestRules.dependencyKeys)
                }
            }
            c.dependencyConditions[key.value] = dependency
        }
        c.dependsOn = Located(names, at: reader.location(node))
    }

    /// `healthcheck: {test, interval, timeout, retries, start-period, start-interval, disable}`.
    private mutating func decodeHealthCheck(_ node: YAMLNode) -> Located<HealthCheckDescription>? {
        guard let mapping = reader.mapping(node, field: "healthcheck", expected: "a map with `test` (or `disable: true`)") else { return nil }
        var check = HealthCheckDescription()
        for (key, value) in reader.pairs(mapping) {
            switch key.value {
            case "test":
                if case .scalar = value {
                    check.test = reader.string(value, field: "test").map { Located([$0], at: $0.location) }
                    check.testIsString = true
                } else {
                    check.test = reader.stringList(value, field: "test")
                }
            case "interval": check.interval = reader.string(value, field: "interval", lenient: true)
            case "timeout": check.timeout = reader.string(value, field: "timeout", lenient: true)
            case "retries": check.retries = reader.integer(value, field: "retries")
            case "start-period": check.startPeriod = reader.string(value, field: "start-period", lenient: true)
            case "start-interval": check.startInterval = reader.string(value, field: "start-interval", lenient: true)
            case "disable": check.disable = reader.bool(value, field: "disable")
            default: reportUnknown(key, in: "healthcheck", valid: ManifestRules.healthCheckKeys)
            }
        }
        return Located(check, at: reader.location(node))
    }

    /// `extra-hosts: ["name:ip"]` or `extra-hosts: {name: ip}`.
    private mutating func decodeExtraHosts(_ node: YAMLNode) -> Located<[Located<String>]>? {
        if case .mapping = node {
            return decodeStringMap(node, field: "extra-hosts").map { map in
                Located(map.value.map { Located("\($0.key.value):\($0.value.value)", at: $0.key.location) }, at: map.location)
            }
        }
        return reader.stringList(node, field: "extra-hosts")
    }
}
