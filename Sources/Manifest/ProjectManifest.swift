import Diagnostics
import Foundation
import OCI

/// A validated berth.yaml: what the planner reads. Built only by the manifest loader's validator.
public struct ProjectManifest: Hashable, Sendable {
    /// Manifest format version (only 1 exists).
    public var version: Int
    /// The project name: the manifest's `name`, else its directory name, normalized.
    public var name: String
    /// The manifest file as the user named it (used in diagnostics).
    public var path: String
    /// The absolute directory of the manifest; relative paths in it are resolved against this.
    public var directory: String
    /// The containers, sorted by name.
    public var containers: [ContainerDefinition]
    /// What loading noticed without failing (an unset variable, say); commands print these to stderr.
    public var warnings: [Diagnostic] = []
    /// The networks declared under `networks:`, sorted by name, plus `default` when a container is on it.
    public var networks: [NetworkDefinition] = []
    /// The named volumes declared under `volumes:`, sorted by name.
    public var volumes: [VolumeDefinition] = []
    /// The top-level `secrets:` and `configs:` entries, sorted by name (values are never held here).
    public var secrets: [SecretDefinition] = []
    public var configs: [SecretDefinition] = []

    public init(version: Int = 1, name: String, path: String, directory: String, containers: [ContainerDefinition]) {
        self.version = version
        self.name = name
        self.path = path
        self.directory = directory
        self.containers = containers.sorted { $0.name < $1.name }
    }

    public func network(named name: String) -> NetworkDefinition? {
        networks.first { $0.name == name }
    }

    public func container(named name: String) -> ContainerDefinition? {
        containers.first { $0.name == name }
    }

    /// Containers another container depends on (`depends-on`, or a `with-ns` container join): services,
    /// which keep running, as opposed to jobs, which run to their end.
    public var serviceNames: Set<String> {
        Set(containers.flatMap(\.dependencies))
    }
}

extension ContainerDefinition {
    /// The containers this one needs started first: its `depends-on` and the containers whose namespaces
    /// it joins, in that order, without repeats. The one definition of a dependency.
    public var dependencies: [String] {
        Self.dependencies(
            dependsOn: dependsOn,
            joined: withNamespaces.compactMap { join in
                if case .container(let other) = join.target { return other }
                return nil
            })
    }

    static func dependencies(dependsOn: [String], joined: [String]) -> [String] {
        var names = dependsOn
        for other in joined where !names.contains(other) { names.append(other) }
        return names
    }

    /// The same set from a container's canonical JSON (`ManifestRenderer.canonicalJSON(of:)`, as a container
    /// record keeps it); empty when the text is not one.
    public static func dependencies(ofCanonicalJSON json: String) -> [String] {
        guard let canonical = try? JSONDecoder().decode(CanonicalContainer.self, from: Data(json.utf8)) else { return [] }
        return dependencies(dependsOn: canonical.dependsOn.names, joined: canonical.withNs.compactMap(\.container))
    }
}

/// One validated container entry. Paths are absolute; defaults are filled in. Codable, so a saved plan
/// (`berth plan -o`) carries exactly what was validated.
public struct ContainerDefinition: Hashable, Sendable, Codable {
    public var name: String
    /// Image reference as written (the image store normalizes it). Nil when `rootfs` or `checkpoint` is used.
    public var image: String?
    /// Replaces the image's Entrypoint and Cmd, as `ctr run` does. Nil: use the image's.
    public var args: [String]?
    public var cwd: String?
    /// `K=V` entries from `env`, in manifest order (a map is sorted by key). Env-files are separate.
    public var env: [String]
    /// Absolute paths of `env-files`, applied before `env`.
    public var envFiles: [String]
    public var mounts: [MountDefinition]
    public var withNamespaces: [NamespaceJoin]
    /// A checkpoint image reference to restore from.
    public var checkpoint: String?
    public var readonly: Bool
    public var tty: Bool
    public var netHost: Bool
    public var labels: [String: String]
    /// `name`, `uid`, `uid:gid`, `name:group` (resolved against the rootfs by the spec builder).
    public var user: String?
    public var hostname: String?
    public var privileged: Bool
    /// Bytes.
    public var memoryLimit: Int64?
    public var cpus: Double?
    public var pidsLimit: Int64?
    /// `runc`, `crun`, or an absolute path to an OCI runtime binary.
    public var runtime: String
    /// `overlayfs` or `native`.
    public var snapshotter: SnapshotterKind
    /// When to pull the image from its registry.
    /// Not part of the config hash: it says how to get the image, not what runs.
    public var pull: PullPolicy = .missing
    /// With `checkpoint`: what comes back; nil means the process too when the checkpoint has process state.
    public var restore: RestoreMode?
    /// Absolute host directory used as the rootfs instead of an image.
    public var rootfs: String?
    public var noPivot: Bool
    /// Absolute path of a base OCI runtime spec.
    public var config: String?
    public var dependsOn: [String]
    /// Published ports, ranges expanded, in manifest order.
    public var ports: [PortMapping] = []
    /// Ports listened on but not published.
    public var expose: [ExposedPort] = []
    /// Networks listed by the container (empty: the default network; see `attachments`).
    public var networks: [NetworkMembership] = []
    /// No network but loopback (the container gets its own network namespace and nothing in it).
    public var netNone: Bool = false
    /// Name servers for /etc/resolv.conf instead of the host's.
    public var dns: [String] = []
    /// Search domains for /etc/resolv.conf.
    public var dnsSearch: [String] = []
    /// Extra /etc/hosts entries.
    public var extraHosts: [ExtraHost] = []
    /// When the monitor runs the container again after it ends.
    public var restart: RestartPolicy = .no
    /// Whether an unhealthy container with a restart policy is restarted (off: it is only reported).
    public var restartOnUnhealthy: Bool = false
    /// `healthcheck:`; nil: the image's check, if it has one.
    public var healthcheck: HealthCheckSetting?
    /// The `depends-on` entries written with a condition (map form), by dependency.
    public var dependencyRequirements: [String: DependencyRequirement] = [:]
    /// `stop-signal` as `SIGNAME`; nil: the image's StopSignal, else SIGTERM.
    public var stopSignal: String?
    /// Seconds between the stop signal and SIGKILL; nil: the default (10).
    public var stopGracePeriod: Double?
    /// `init: true`: tini runs as PID 1, forwards signals and reaps zombies.
    public var initProcess: Bool = false
    /// The secrets and configs it mounts, secrets first, in manifest order.
    public var secretMounts: [SecretMount] = []
    /// Docker's split: `entrypoint` replaces the image's Entrypoint (and drops its Cmd), `command` its Cmd.
    public var entrypoint: [String]?
    public var command: [String]?
    /// How its image is built; `image` names the result.
    public var build: BuildDefinition?
    /// Where each field was written, for diagnostics found after validation (host checks, plan errors).
    public var locations: FieldLocations
    /// Seccomp, capabilities, sysctls, ulimits, devices and the other security and kernel options.
    public var kernel = KernelOptions()

    public init(
        name: String, image: String? = nil, args: [String]? = nil, cwd: String? = nil, env: [String] = [],
        envFiles: [String] = [], mounts: [MountDefinition] = [], withNamespaces: [NamespaceJoin] = [],
        checkpoint: String? = nil, readonly: Bool = false, tty: Bool = false, netHost: Bool = false,
        labels: [String: String] = [:], user: String? = nil, hostname: String? = nil, privileged: Bool = false,
        memoryLimit: Int64? = nil, cpus: Double? = nil, pidsLimit: Int64? = nil, runtime: String = "runc",
        snapshotter: SnapshotterKind = .overlayfs, rootfs: String? = nil, noPivot: Bool = false, config: String? = nil,
        dependsOn: [String] = [], locations: FieldLocations = FieldLocations()
    ) {
        self.name = name
        self.image = image
        self.args = args
        self.cwd = cwd
        self.env = env
        self.envFiles = envFiles
        self.mounts = mounts
        self.withNamespaces = withNamespaces
        self.checkpoint = checkpoint
        self.readonly = readonly
        self.tty = tty
        self.netHost = netHost
        self.labels = labels
        self.user = user
        self.hostname = hostname
        self.privileged = privileged
        self.memoryLimit = memoryLimit
        self.cpus = cpus
        self.pidsLimit = pidsLimit
        self.runtime = runtime
        self.snapshotter = snapshotter
        self.rootfs = rootfs
        self.noPivot = noPivot
        self.config = config
        self.dependsOn = dependsOn
        self.locations = locations
    }
}

/// A mount, long form or ctr's one-line form, normalized.
public struct MountDefinition: Hashable, Sendable, Codable {
    /// `bind`, `tmpfs`, or another filesystem type passed through to the runtime.
    public var type: String
    /// Absolute host path for bind mounts; the filesystem source otherwise (nil: same as type).
    public var source: String?
    /// Absolute path inside the container.
    public var destination: String
    public var options: [String]
    /// For `type: volume`: a relative path inside the volume to mount instead of its root.
    public var subpath: String?

    public init(type: String, source: String? = nil, destination: String, options: [String] = [], subpath: String? = nil) {
        self.type = type
        self.source = source
        self.destination = destination
        self.options = options
        self.subpath = subpath
    }

    /// The mount type of named volumes (`source` is the volume's name in the manifest).
    public static let volumeType = "volume"
}

/// A namespace to join: by host path (`network:/var/run/netns/blue`) or another container's.
public struct NamespaceJoin: Hashable, Sendable, Codable {
    public enum Target: Hashable, Sendable, Codable {
        case path(String)
        case container(String)
    }

    /// The namespace's type, one of the runtime spec's (`NamespaceType.all`; the validator checks it).
    public var type: NamespaceType
    public var target: Target

    public init(type: NamespaceType, target: Target) {
        self.type = type
        self.target = target
    }
}

/// Source locations of a container's fields, keyed by the manifest key (`image`, `with-ns`, `mounts[1]`).
public struct FieldLocations: Hashable, Sendable, Codable {
    /// Where the container's own key (its name) was written.
    public var container: SourceLocation?
    public var fields: [String: SourceLocation]

    public init(container: SourceLocation? = nil, fields: [String: SourceLocation] = [:]) {
        self.container = container
        self.fields = fields
    }

    /// The location of `field`, else of the container.
    public subscript(field: String) -> SourceLocation? {
        fields[field] ?? container
    }
}

/// When an image is pulled from its registry (`pull:`).
public enum PullPolicy: String, Hashable, Sendable, Codable, CaseIterable {
    /// When the store does not have it (the default).
    case missing
    /// Every plan asks the registry; pulled when the tag moved.
    case always
    /// Never: the image must be in the store.
    case never
}

/// What a `checkpoint:` brings back (`restore:`).
public enum RestoreMode: String, Hashable, Sendable, Codable, CaseIterable {
    /// The files only; the process starts fresh.
    case filesystem
    /// The files and the process (CRIU).
    case process
}
