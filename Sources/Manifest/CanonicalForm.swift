import BerthSystem
import Foundation
import Yams

/// The normalized manifest as rendered by `berth config` and hashed for change detection:
/// manifest key names, defaults filled in, env-files folded into `env`, no locations.
struct CanonicalManifest: Codable, Equatable {
    var version: Int
    var name: String
    var containers: [String: CanonicalContainer]
    /// The declared networks (the implicit default network is not written); nil when there are none.
    var networks: [String: CanonicalNetwork]?
    /// The declared volumes; nil when there are none.
    var volumes: [String: CanonicalVolume]?
    /// Where secrets and configs come from (a file path or a variable name, never a secret's value).
    var secrets: [String: CanonicalSecret]?
    var configs: [String: CanonicalSecret]?

    /// `foldEnvFiles: false` keeps env-files as references (`berth convert`: values stay in their files).
    init(_ m: ProjectManifest, foldEnvFiles: Bool = true) throws {
        version = m.version
        name = m.name
        var containers: [String: CanonicalContainer] = [:]
        for c in m.containers { containers[c.name] = try CanonicalContainer(c, foldEnvFiles: foldEnvFiles) }
        self.containers = containers
        let declared = m.networks.filter(\.isDeclared)
        networks = declared.isEmpty ? nil : Dictionary(uniqueKeysWithValues: declared.map { ($0.name, CanonicalNetwork($0)) })
        volumes = m.volumes.isEmpty ? nil : Dictionary(uniqueKeysWithValues: m.volumes.map { ($0.name, CanonicalVolume($0)) })
        secrets = m.secrets.isEmpty ? nil : Dictionary(uniqueKeysWithValues: m.secrets.map { ($0.name, CanonicalSecret($0.source)) })
        configs = m.configs.isEmpty ? nil : Dictionary(uniqueKeysWithValues: m.configs.map { ($0.name, CanonicalSecret($0.source)) })
    }
}

struct CanonicalBuild: Codable, Equatable {
    var context: String
    var dockerfile: String?
    var dockerfileInline: String?
    var args: [String: String]?
    var target: String?
    var labels: [String: String]?
    var noCache: Bool?
    var pull: Bool?

    enum CodingKeys: String, CodingKey {
        case context, dockerfile, args, target, labels, pull
        case dockerfileInline = "dockerfile-inline", noCache = "no-cache"
    }

    init(_ b: BuildDefinition) {
        context = b.context
        dockerfile = b.dockerfile
        dockerfileInline = b.dockerfileInline
        args = b.args.isEmpty ? nil : b.args
        target = b.target
        labels = b.labels.isEmpty ? nil : b.labels
        noCache = b.noCache ? true : nil
        pull = b.pull ? true : nil
    }
}

struct CanonicalSecret: Codable, Equatable {
    var file: String?
    var environment: String?
    var content: String?

    func escapingDollars() -> CanonicalSecret {
        var copy = self
        copy.file = file.map(CanonicalManifest.escape)
        copy.content = content.map(CanonicalManifest.escape)
        return copy
    }

    init(_ source: SecretSource) {
        switch source {
        case .file(let path): file = path
        case .environment(let name): environment = name
        case .content(let text): content = text
        }
    }
}

/// A container's secret or config in its long form, every default written out.
struct CanonicalSecretMount: Codable, Equatable {
    var source: String
    var target: String
    var uid: String?
    var gid: String?
    var mode: String

    init(_ m: SecretMount) {
        source = m.name
        target = m.target
        uid = m.uid.map(String.init)
        gid = m.gid.map(String.init)
        let octal = String(m.mode, radix: 8)
        mode = "0" + String(repeating: "0", count: max(0, 3 - octal.count)) + octal
    }
}

struct CanonicalVolume: Codable, Equatable {
    var external: String?
    var labels: [String: String]?
    var driverOpts: [String: String]?

    enum CodingKeys: String, CodingKey {
        case external, labels, driverOpts = "driver-opts"
    }

    init(_ v: VolumeDefinition) {
        external = v.external
        labels = v.labels.isEmpty ? nil : v.labels
        driverOpts = v.device.map { ["type": "none", "o": "bind", "device": $0] }
    }
}

struct CanonicalNetwork: Codable, Equatable {
    var subnet: String?
    var gateway: String?
    var isInternal: Bool?
    var external: String?

    enum CodingKeys: String, CodingKey {
        case subnet, gateway, isInternal = "internal", external
    }

    init(_ n: NetworkDefinition) {
        subnet = n.subnet?.description
        gateway = n.gateway?.description
        isInternal = n.isInternal ? true : nil
        external = n.external
    }
}

struct CanonicalMembership: Codable, Equatable {
    var aliases: [String]?
    var ipv4Address: String?

    enum CodingKeys: String, CodingKey {
        case aliases, ipv4Address = "ipv4-address"
    }
}

struct CanonicalContainer: Codable, Equatable {
    var image: String?
    var args: [String]?
    var cwd: String?
    var env: [String]
    var mounts: [CanonicalMount]
    var withNs: [CanonicalNamespace]
    var checkpoint: String?
    var readonly: Bool
    var tty: Bool
    var netHost: Bool
    var labels: [String: String]
    var user: String?
    var hostname: String?
    var privileged: Bool
    var memoryLimit: Int64?
    var cpus: PlainDouble?
    var pidsLimit: Int64?
    var runtime: String
    var snapshotter: String
    /// Rendered by `berth config`; left out of the config hash (`canonicalJSON(of:)`).
    var pull: String?
    var restore: String?
    var rootfs: String?
    var noPivot: Bool
    var config: String?
    var dependsOn: CanonicalDependsOn
    // Networking: written only when set, so a manifest without networking keeps its form and its hash.
    var ports: [String]?
    var expose: [String]?
    var networks: [String: CanonicalMembership]?
    var netNone: Bool?
    var dns: [String]?
    var dnsSearch: [String]?
    var extraHosts: [String]?
    // Services: also written only when set.
    var restart: String?
    var restartOnUnhealthy: Bool?
    var healthcheck: CanonicalHealthCheck?
    var stopSignal: String?
    var stopGracePeriod: String?
    var initProcess: Bool?
    var secrets: [CanonicalSecretMount]?
    var configs: [CanonicalSecretMount]?
    var entrypoint: [String]?
    var command: [String]?
    /// Only when env-files are not folded into `env`.
    var envFiles: [String]?
    var build: CanonicalBuild?
    // Security and kernel options: written only when set.
    var seccomp: String?
    var noNewPrivileges: Bool?
    var capAdd: [String]?
    var capDrop: [String]?
    var sysctls: [String: String]?
    var ulimits: [String: CanonicalUlimit]?
    var devices: [String]?
    var shmSize: Int64?
    var tmpfs: [String]?
    var groupAdd: [String]?
    var oomScoreAdj: Int?
    var ipc: String?
    var pid: String?
    var platform: String?

    enum CodingKeys: String, CodingKey {
        case image, args, cwd, env, mounts, checkpoint, readonly, tty, labels, user, hostname, privileged, cpus
        case runtime, snapshotter, rootfs, config, pull, restore, ports, expose, networks, dns
        case withNs = "with-ns", netHost = "net-host", memoryLimit = "memory-limit", pidsLimit = "pids-limit"
        case noPivot = "no-pivot", dependsOn = "depends-on", netNone = "net-none", dnsSearch = "dns-search"
        case extraHosts = "extra-hosts", restart, restartOnUnhealthy = "restart-on-unhealthy", healthcheck
        case stopSignal = "stop-signal", stopGracePeriod = "stop-grace-period", initProcess = "init", secrets, configs, entrypoint, command,
            envFiles = "env-files", build
        case seccomp, noNewPrivileges = "no-new-privileges", capAdd = "cap-add", capDrop = "cap-drop", sysctls, ulimits, devices
        case shmSize = "shm-size", tmpfs, groupAdd = "group-add", oomScoreAdj = "oom-score-adj", ipc, pid, platform
    }

    init(_ c: ContainerDefinition, foldEnvFiles: Bool = true) throws {
        image = c.image
        args = c.args
        cwd = c.cwd
        env = foldEnvFiles ? try c.resolvedEnvironment() : c.env
        envFiles = foldEnvFiles || c.envFiles.isEmpty ? nil : c.envFiles
        mounts = c.mounts.map {
            CanonicalMount(type: $0.type, source: $0.source, destination: $0.destination, options: $0.options, subpath: $0.subpath)
        }
        withNs = c.withNamespaces.map { join in
            switch join.target {
            case .path(let path): return CanonicalNamespace(type: join.type.rawValue, path: path, container: nil)
            case .container(let name): return CanonicalNamespace(type: join.type.rawValue, path: nil, container: name)
            }
        }
        checkpoint = c.checkpoint
        readonly = c.readonly
        tty = c.tty
        netHost = c.netHost
        labels = c.labels
        user = c.user
        hostname = c.hostname
        privileged = c.privileged
        memoryLimit = c.memoryLimit
        cpus = c.cpus.map(PlainDouble.init)
        pidsLimit = c.pidsLimit
        runtime = c.runtime
        snapshotter = c.snapshotter.rawValue
        pull = c.pull.rawValue
        restore = c.restore?.rawValue
        rootfs = c.rootfs
        noPivot = c.noPivot
        config = c.config
        dependsOn = CanonicalDependsOn(c.dependsOn, requirements: c.dependencyRequirements)
        ports = c.ports.isEmpty ? nil : c.ports.map(\.shortForm)
        expose = c.expose.isEmpty ? nil : c.expose.map { "\($0.port)/\($0.proto.rawValue)" }
        networks =
            c.networks.isEmpty
            ? nil
            : Dictionary(
                uniqueKeysWithValues: c.networks.map {
                    ($0.network, CanonicalMembership(aliases: $0.aliases.isEmpty ? nil : $0.aliases, ipv4Address: $0.ipv4Address?.description))
                })
        netNone = c.netNone ? true : nil
        dns = c.dns.isEmpty ? nil : c.dns
        dnsSearch = c.dnsSearch.isEmpty ? nil : c.dnsSearch
        extraHosts = c.extraHosts.isEmpty ? nil : c.extraHosts.map(\.shortForm)
        restart = c.restart == .no ? nil : c.restart.description
        restartOnUnhealthy = c.restartOnUnhealthy ? true : nil
        healthcheck = c.healthcheck.map(CanonicalHealthCheck.init)
        stopSignal = c.stopSignal
        stopGracePeriod = c.stopGracePeriod.map(DurationText.format)
        initProcess = c.initProcess ? true : nil
        let secretList = c.secretMounts.filter { $0.kind == .secret }.map(CanonicalSecretMount.init)
        let configList = c.secretMounts.filter { $0.kind == .config }.map(CanonicalSecretMount.init)
        secrets = secretList.isEmpty ? nil : secretList
        configs = configList.isEmpty ? nil : configList
        entrypoint = c.entrypoint
        command = c.command
        build = c.build.map(CanonicalBuild.init)
        setKernelOptions(c.kernel)
    }
}

/// `depends-on` as a list of names, or, when any entry has a condition or timeout, as the map form with
/// every entry's condition.
enum CanonicalDependsOn: Codable, Equatable {
    case names([String])
    case conditions([String: CanonicalDependency])

    init(_ names: [String], requirements: [String: DependencyRequirement]) {
        if requirements.isEmpty {
            self = .names(names)
        } else {
            self = .conditions(
                Dictionary(
                    uniqueKeysWithValues: names.map { name in
                        let requirement = requirements[name]
                        return (
                            name,
                            CanonicalDependency(
                                condition: (requirement?.condition ?? .started).rawValue,
                                timeout: DurationText.format(requirement?.timeout ?? DependencyRequirement.defaultTimeout))
                        )
                    }))
        }
    }

    var names: [String] {
        switch self {
        case .names(let names): return names
        case .conditions(let map): return map.keys.sorted()
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let names = try? container.decode([String].self) {
            self = .names(names)
        } else {
            self = .conditions(try container.decode([String: CanonicalDependency].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .names(let names): try container.encode(names)
        case .conditions(let map): try container.encode(map)
        }
    }
}

struct CanonicalDependency: Codable, Equatable {
    var condition: String
    var timeout: String?
}

/// A health check with every default written out; `disable: true` alone when disabled.
struct CanonicalHealthCheck: Codable, Equatable {
    var test: [String]?
    var interval: String?
    var timeout: String?
    var retries: Int?
    var startPeriod: String?
    var startInterval: String?
    var disable: Bool?

    enum CodingKeys: String, CodingKey {
        case test, interval, timeout, retries, disable
        case startPeriod = "start-period", startInterval = "start-interval"
    }

    init(_ setting: HealthCheckSetting) {
        switch setting {
        case .disabled:
            disable = true
        case .check(let check):
            test = check.test
            interval = DurationText.format(check.interval)
            timeout = DurationText.format(check.timeout)
            retries = check.retries
            startPeriod = DurationText.format(check.startPeriod)
            startInterval = DurationText.format(check.startInterval)
        }
    }
}

struct CanonicalMount: Codable, Equatable {
    var type: String
    var source: String?
    var destination: String
    var options: [String]
    /// Written only when set, so existing mounts keep their form and hash.
    var subpath: String?
}

struct CanonicalNamespace: Codable, Equatable {
    var type: String
    var path: String?
    var container: String?
}

extension CanonicalManifest {
    /// Every `$` in a value written as `$$`, so rendered output loads back to the same manifest.
    func escapingDollars() -> CanonicalManifest {
        var copy = self
        copy.name = Self.escape(name)
        copy.containers = containers.mapValues { $0.escapingDollars() }
        copy.secrets = secrets?.mapValues { $0.escapingDollars() }
        copy.configs = configs?.mapValues { $0.escapingDollars() }
        return copy
    }

    static func escape(_ s: String) -> String { s.replacingOccurrences(of: "$", with: "$$") }
}

extension CanonicalContainer {
    func escapingDollars() -> CanonicalContainer {
        let e = CanonicalManifest.escape
        var c = self
        c.image = image.map(e)
        c.args = args?.map(e)
        c.entrypoint = entrypoint?.map(e)
        c.command = command?.map(e)
        c.envFiles = envFiles?.map(e)
        c.cwd = cwd.map(e)
        c.env = env.map(e)
        c.mounts = mounts.map {
            CanonicalMount(
                type: e($0.type), source: $0.source.map(e), destination: e($0.destination), options: $0.options.map(e), subpath: $0.subpath.map(e))
        }
        c.withNs = withNs.map { CanonicalNamespace(type: e($0.type), path: $0.path.map(e), container: $0.container.map(e)) }
        c.checkpoint = checkpoint.map(e)
        c.labels = Dictionary(uniqueKeysWithValues: labels.map { ($0.key, e($0.value)) })
        c.user = user.map(e)
        c.hostname = hostname.map(e)
        c.runtime = e(runtime)
        c.snapshotter = e(snapshotter)
        c.rootfs = rootfs.map(e)
        c.config = config.map(e)
        if case .names(let names) = dependsOn { c.dependsOn = .names(names.map(e)) }
        c.healthcheck?.test = healthcheck?.test?.map(e)
        c.dnsSearch = dnsSearch?.map(e)
        c.extraHosts = extraHosts?.map(e)
        c.seccomp = seccomp.map(e)
        c.sysctls = sysctls?.mapValues(e)
        c.devices = devices?.map(e)
        c.tmpfs = tmpfs?.map(e)
        c.groupAdd = groupAdd?.map(e)
        return c
    }
}

/// A Double rendered in YAML as Swift's shortest form (`0.5`, not Yams' `5e-1`); JSON is unchanged.
struct PlainDouble: Codable, Equatable, YAMLEncodable {
    var value: Double

    init(_ value: Double) { self.value = value }

    init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(Double.self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    func box() -> Node {
        Node(String(value), Tag(.float))
    }
}

extension ContainerDefinition {
    /// The manifest keys of this container that are set (differ from their defaults) and change its
    /// runtime spec, in the field table's order. Derived from the canonical form, so every new field is
    /// covered; env-files count as `env`, which they fold into.
    public func specFieldsSet() -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func object(_ c: ContainerDefinition) -> [String: Any]? {
            guard let canonical = try? CanonicalContainer(c), let data = try? encoder.encode(canonical) else { return nil }
            return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        }
        var defaults = ContainerDefinition(name: name)
        defaults.runtime = runtime
        defaults.snapshotter = snapshotter
        guard let mine = object(self), let base = object(defaults) else { return [] }
        return ManifestRules.containerKeys.filter { key in
            guard !ManifestRules.outsideTheSpec.contains(key), let value = mine[key] else { return false }
            guard let other = base[key] else { return true }
            let a = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys])
            let b = try? JSONSerialization.data(withJSONObject: [other], options: [.sortedKeys])
            return a != b
        }
    }
}

/// A ulimit's soft and hard values; -1 is unlimited.
struct CanonicalUlimit: Codable, Equatable {
    var soft: Int64
    var hard: Int64

    init(_ limit: Ulimit) {
        soft = limit.soft == UInt64.max ? -1 : Int64(clamping: limit.soft)
        hard = limit.hard == UInt64.max ? -1 : Int64(clamping: limit.hard)
    }
}

extension CanonicalContainer {
    /// The security and kernel options, each only when set. `ipc`/`pid` `container:NAME` are `with-ns` joins.
    mutating func setKernelOptions(_ k: KernelOptions) {
        seccomp = k.seccomp?.text
        noNewPrivileges = k.noNewPrivileges
        capAdd = k.capAdd.isEmpty ? nil : k.capAdd
        capDrop = k.capDrop.isEmpty ? nil : k.capDrop
        sysctls = k.sysctls.isEmpty ? nil : k.sysctls
        ulimits = k.ulimits.isEmpty ? nil : Dictionary(k.ulimits.map { ($0.name, CanonicalUlimit($0)) }, uniquingKeysWith: { _, last in last })
        devices = k.devices.isEmpty ? nil : k.devices.map(\.shortForm)
        shmSize = k.shmSize
        tmpfs =
            k.tmpfs.isEmpty
            ? nil
            : k.tmpfs.map { mount in
                let options = mount.options.dropFirst(KernelOptions.tmpfsDefaultOptions.count)
                return options.isEmpty ? mount.destination : mount.destination + ":" + options.joined(separator: ",")
            }
        groupAdd = k.groupAdd.isEmpty ? nil : k.groupAdd
        oomScoreAdj = k.oomScoreAdj
        ipc = k.hostNamespaces.contains(.ipc) ? "host" : k.ipcMode
        pid = k.hostNamespaces.contains(.pid) ? "host" : nil
        platform = k.platform
    }
}
