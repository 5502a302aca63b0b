import Diagnostics

/// berth.yaml as decoded, before validation: every value keeps its location. Only the validator reads it.
struct ManifestDescription {
    var root: SourceLocation
    var version: Located<Int64>?
    var name: Located<String>?
    /// Location of the `containers` value, when present.
    var containersLocation: SourceLocation?
    var containers: [ContainerDescription] = []
    /// Top-level keys present, even when their value failed to decode.
    var keys: Set<String> = []
    /// How many entries `containers` has, even when some failed to decode; nil when it is not a map.
    var containerEntries: Int?
    /// Top-level `networks:` entries.
    var networks: [NetworkDescription] = []
    /// Top-level `volumes:` entries.
    var volumes: [VolumeDescription] = []
    /// Top-level `secrets:` and `configs:` entries.
    var secrets: [SecretDescription] = []
    var configs: [SecretDescription] = []
}

/// A top-level `secrets:`/`configs:` entry as written: one source.
struct SecretDescription {
    var name: Located<String>
    var file: Located<String>?
    var environment: Located<String>?
    var content: Located<String>?
}

/// A container's `secrets:`/`configs:` entry: a name, or `{source, target, uid, gid, mode}`.
struct SecretReferenceDescription {
    var source: Located<String>
    var target: Located<String>?
    var uid: Located<String>?
    var gid: Located<String>?
    var mode: Located<String>?
}

/// A top-level `volumes:` entry as written.
struct VolumeDescription {
    var name: Located<String>
    /// `external: true` (the key is the other volume's full name) or `external: NAME`.
    var external: Located<String>?
    var labels: [(key: Located<String>, value: Located<String>)] = []
    var driverOpts: [(key: Located<String>, value: Located<String>)] = []
}

/// A top-level `networks:` entry as written.
struct NetworkDescription {
    var name: Located<String>
    var subnet: Located<String>?
    var gateway: Located<String>?
    var isInternal: Located<Bool>?
    /// `external: NAME`, or `external: true` (the key is the other network's full name).
    var external: Located<String>?
}

/// A `ports:` entry: the short string form or the long map form.
enum PortDescription {
    case short(Located<String>)
    case long(target: Located<String>?, published: Located<String>?, hostIP: Located<String>?, proto: Located<String>?)
}

/// A container's `networks:` entry: a name, with aliases and a fixed address in the map form.
struct NetworkMembershipDescription {
    var name: Located<String>
    var aliases: [Located<String>] = []
    var ipv4Address: Located<String>?
}

/// One container entry as written.
struct ContainerDescription {
    var name: Located<String>
    var image: Located<String>?
    var args: Located<[Located<String>]>?
    var cwd: Located<String>?
    var env: Located<[EnvEntryDescription]>?
    var envFiles: Located<[Located<String>]>?
    var mounts: Located<[Located<MountDescription>]>?
    var withNamespaces: Located<[Located<NamespaceDescription>]>?
    var checkpoint: Located<String>?
    var readonly: Located<Bool>?
    var tty: Located<Bool>?
    var netHost: Located<Bool>?
    var labels: Located<[(key: Located<String>, value: Located<String>)]>?
    var user: Located<String>?
    var hostname: Located<String>?
    var privileged: Located<Bool>?
    var memoryLimit: Located<MemoryLimitDescription>?
    var cpus: Located<Double>?
    var pidsLimit: Located<Int64>?
    var runtime: Located<String>?
    var snapshotter: Located<String>?
    var pull: Located<String>?
    var restore: Located<String>?
    var rootfs: Located<String>?
    var noPivot: Located<Bool>?
    var config: Located<String>?
    var dependsOn: Located<[Located<String>]>?
    var ports: Located<[Located<PortDescription>]>?
    var expose: Located<[Located<String>]>?
    var networks: Located<[NetworkMembershipDescription]>?
    var netNone: Located<Bool>?
    var dns: Located<[Located<String>]>?
    var dnsSearch: Located<[Located<String>]>?
    var extraHosts: Located<[Located<String>]>?
    var restart: Located<String>?
    var restartOnUnhealthy: Located<Bool>?
    var healthcheck: Located<HealthCheckDescription>?
    /// Conditions of `depends-on` in its map form, by dependency (names are in `dependsOn`).
    var dependencyConditions: [String: DependencyDescription] = [:]
    var stopSignal: Located<String>?
    var stopGracePeriod: Located<String>?
    var initProcess: Located<Bool>?
    var build: Located<BuildDescription>?
    var entrypoint: Located<[Located<String>]>?
    var command: Located<[Located<String>]>?
    var secrets: Located<[Located<SecretReferenceDescription>]>?
    var configs: Located<[Located<SecretReferenceDescription>]>?
    /// Security and kernel options (`ManifestDecoder+Security.swift`).
    var kernel = KernelOptionsDescription()
    /// Where each key's value was written, keyed by manifest key.
    var fieldLocations: [String: SourceLocation] = [:]

    init(name: Located<String>) {
        self.name = name
    }
}

/// `build:` as written: a context path, or the map form.
struct BuildDescription {
    var context: Located<String>?
    var dockerfile: Located<String>?
    var dockerfileInline: Located<String>?
    var args: [(key: Located<String>, value: Located<String>)] = []
    var target: Located<String>?
    var labels: [(key: Located<String>, value: Located<String>)] = []
    var noCache: Located<Bool>?
    var pull: Located<Bool>?
    var platforms: [Located<String>] = []
}

/// `healthcheck:` as written.
struct HealthCheckDescription {
    /// `test` as a list (`[CMD, …]`, `[CMD-SHELL, …]`, `[NONE]`) or a string (a shell command).
    var test: Located<[Located<String>]>?
    var testIsString = false
    var interval: Located<String>?
    var timeout: Located<String>?
    var retries: Located<Int64>?
    var startPeriod: Located<String>?
    var startInterval: Located<String>?
    var disable: Located<Bool>?
}

/// A `depends-on` map entry's settings.
struct DependencyDescription {
    var condition: Located<String>?
    var timeout: Located<String>?
}

/// `env` entries: from a map (`K: V`) or a list (`"K=V"`).
enum EnvEntryDescription {
    case pair(key: Located<String>, value: Located<String>)
    case line(Located<String>)
}

/// `memory-limit`: plain bytes or text with a suffix.
enum MemoryLimitDescription {
    case bytes(Int64)
    case text(String)
}

/// A mount: ctr's one-line form or the long map form.
enum MountDescription {
    case line(String)
    case long(
        type: Located<String>?, source: Located<String>?, destination: Located<String>?, options: [Located<String>]?,
        readonly: Located<Bool>? = nil, subpath: Located<String>? = nil)
}

/// A `with-ns` entry: `type:path` or `{type, path | container}`.
enum NamespaceDescription {
    case line(String)
    case long(type: Located<String>?, path: Located<String>?, container: Located<String>?)
}

/// The security and kernel options of a container as written.
struct KernelOptionsDescription {
    var seccomp: Located<String>?
    var noNewPrivileges: Located<Bool>?
    var capAdd: Located<[Located<String>]>?
    var capDrop: Located<[Located<String>]>?
    var securityOpt: Located<[Located<String>]>?
    /// `read-only`, the alias of `readonly`.
    var readOnlyAlias: Located<Bool>?
    /// `sysctls` as `(name, value)` pairs, from a map or `K=V` strings (the key of a bad line is the line).
    var sysctls: [(key: Located<String>, value: Located<String>?)] = []
    var ulimits: [UlimitDescription] = []
    var devices: Located<[Located<String>]>?
    var shmSize: Located<String>?
    var tmpfs: Located<[Located<String>]>?
    var groupAdd: Located<[Located<String>]>?
    var oomScoreAdj: Located<Int64>?
    var ipc: Located<String>?
    var pid: Located<String>?
    var platform: Located<String>?
}

/// A `ulimits` entry: `name: N` (soft = hard) or `name: {soft, hard}`.
struct UlimitDescription {
    var name: Located<String>
    var soft: Located<Int64>?
    var hard: Located<Int64>?
}
