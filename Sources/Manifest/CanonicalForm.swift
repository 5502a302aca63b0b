/// The normalized manifest as rendered by `berth config` and hashed for change detection:
/// manifest key names, defaults filled in, env-files folded into `env`, no locations.
struct CanonicalManifest: Codable, Equatable {
    var version: Int
    var name: String
    var containers: [String: CanonicalContainer]

    init(_ m: ProjectManifest) throws {
        version = m.version
        name = m.name
        var containers: [String: CanonicalContainer] = [:]
        for c in m.containers { containers[c.name] = try CanonicalContainer(c) }
        self.containers = containers
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
    var cpus: Double?
    var pidsLimit: Int64?
    var runtime: String
    var snapshotter: String
    var rootfs: String?
    var noPivot: Bool
    var config: String?
    var dependsOn: [String]

    enum CodingKeys: String, CodingKey {
        case image, args, cwd, env, mounts, checkpoint, readonly, tty, labels, user, hostname, privileged, cpus
        case runtime, snapshotter, rootfs, config
        case withNs = "with-ns", netHost = "net-host", memoryLimit = "memory-limit", pidsLimit = "pids-limit"
        case noPivot = "no-pivot", dependsOn = "depends-on"
    }

    init(_ c: ContainerDefinition) throws {
        image = c.image
        args = c.args
        cwd = c.cwd
        env = try c.resolvedEnvironment()
        mounts = c.mounts.map { CanonicalMount(type: $0.type, source: $0.source, destination: $0.destination, options: $0.options) }
        withNs = c.withNamespaces.map { join in
            switch join.target {
            case .path(let path): return CanonicalNamespace(type: join.type, path: path, container: nil)
            case .container(let name): return CanonicalNamespace(type: join.type, path: nil, container: name)
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
        cpus = c.cpus
        pidsLimit = c.pidsLimit
        runtime = c.runtime
        snapshotter = c.snapshotter
        rootfs = c.rootfs
        noPivot = c.noPivot
        config = c.config
        dependsOn = c.dependsOn
    }
}

struct CanonicalMount: Codable, Equatable {
    var type: String
    var source: String?
    var destination: String
    var options: [String]
}

struct CanonicalNamespace: Codable, Equatable {
    var type: String
    var path: String?
    var container: String?
}
