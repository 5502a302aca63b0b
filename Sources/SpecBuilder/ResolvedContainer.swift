import Manifest
import OCI

/// One container as the plan decided it, in the runtime spec's terms: everything of the manifest that goes
/// into its config.json, merged, typed and defaulted. The planner makes it from the validated definition
/// (`init(resolving:)`) and the plan carries it; the spec builder builds from it and the facts known only
/// when the container is created (image configuration, rootfs, peers' pids), never from the manifest.
public struct ResolvedContainer: Hashable, Sendable {
    /// The container's name; the last element of its cgroups path.
    public var name: String
    /// A runtime spec file (`config:`) to start from instead of the default spec.
    public var baseSpecFile: String?
    /// `root.path`: a host directory (`rootfs:`), or `rootfs` inside the bundle for an image's snapshot.
    public var rootPath: String
    /// Whether the root is a host directory rather than a snapshot of an image.
    public var usesHostRootfs: Bool
    /// `root.readonly`.
    public var readonlyRoot: Bool
    /// `process.args` when set and not empty; otherwise the image's Entrypoint + Cmd.
    public var args: [String]?
    /// `process.cwd` when set and not empty; otherwise the image's WorkingDir.
    public var cwd: String?
    /// The user (`uid[:gid]` or names), resolved against the rootfs's /etc/passwd and /etc/group at build time.
    public var user: String?
    /// `process.terminal`.
    public var terminal: Bool
    /// Env files in order, read when the spec is built so that their values never enter a plan.
    public var envFiles: [String]
    /// `KEY=value` entries that override the env files' (and the image's) by key.
    public var env: [String]
    /// Mounts in manifest order, as OCI mounts (a bind mount without `bind`/`rbind` has `rbind`).
    public var mounts: [OCIMount]
    /// Namespaces joined instead of created, by type: a host path or another container of the project.
    public var namespaceJoins: [NamespaceJoin]
    /// ctr's `--privileged`.
    public var privileged: Bool
    /// ctr's `--net-host`: no network namespace of its own.
    public var hostNetwork: Bool
    /// `hostname`; an attached container without one is named after itself.
    public var hostname: String?
    /// Whether the container is attached to networks (its namespace, /etc/hosts and /etc/resolv.conf are
    /// Berth's), rather than only loopback, the host's network or another namespace.
    public var attachesNetworks: Bool
    /// CFS quota in µs per 100000 µs period (`cpus` × 100000).
    public var cpuQuota: Int64?
    /// `memory.limit` in bytes.
    public var memoryLimit: Int64?
    /// `pids.limit`.
    public var pidsLimit: Int64?
    /// Annotations from the manifest's labels; they win over the image's labels.
    public var labels: [String: String]
    /// Whether the runtime is told not to use pivot_root (`runc run --no-pivot`, for a root on a ramdisk).
    public var noPivot: Bool
    /// Where each value was written, for the errors that can only happen when the spec is built (an unknown
    /// user, an unreadable env file or config file, no command).
    public var locations: FieldLocations
    /// The signal that stops the container (`SIGINT`…), written where containerd writes the image's; nil:
    /// the image's, else SIGTERM.
    public var stopSignal: String?
    /// Run the init (tini) as PID 1 in front of the command.
    public var initProcess: Bool
    /// Secrets and configs: files Berth writes under the container's directory, bound read-only.
    public var secretMounts: [SecretMount]
    /// Docker's `entrypoint`/`command`: each replaces its half of the image's command line.
    public var entrypoint: [String]?
    public var command: [String]?
    /// Seccomp, capabilities, sysctls, ulimits, devices and the other security and kernel options
    /// (`SpecBuilder+Security.swift`); its `tmpfs` mounts are already in `mounts`.
    public var kernel: KernelOptions

    /// The CFS period `cpuQuota` is relative to, in µs (ctr's `--cpus`).
    public static let cpuPeriod: Int64 = 100_000

    /// The decisions for one validated definition (the validator has checked every value this relies on).
    public init(resolving definition: ContainerDefinition) {
        name = definition.name
        baseSpecFile = definition.config
        rootPath = definition.rootfs ?? "rootfs"
        usesHostRootfs = definition.rootfs != nil
        readonlyRoot = definition.readonly
        args = definition.args.flatMap { $0.isEmpty ? nil : $0 }
        cwd = definition.cwd.flatMap { $0.isEmpty ? nil : $0 }
        user = definition.user
        terminal = definition.tty
        envFiles = definition.envFiles
        env = definition.env
        mounts = definition.mounts.map(Self.ociMount)
        namespaceJoins = definition.withNamespaces
        privileged = definition.privileged
        hostNetwork = definition.netHost
        hostname = definition.hostname.flatMap { $0.isEmpty ? nil : $0 }
        attachesNetworks = !definition.attachments.isEmpty
        cpuQuota = definition.cpus.flatMap { Self.quota(cpus: $0) }
        memoryLimit = definition.memoryLimit
        pidsLimit = definition.pidsLimit
        labels = definition.labels
        noPivot = definition.noPivot
        locations = definition.locations
        stopSignal = definition.stopSignal
        initProcess = definition.initProcess
        secretMounts = definition.secretMounts
        entrypoint = definition.entrypoint
        command = definition.command
        kernel = definition.kernel
        mounts += definition.kernel.tmpfs.map(Self.ociMount)
    }

    /// `cpus` × the period, in whole µs; nil for a value the validator refuses (not positive, or beyond
    /// `Int64`), so that an unvalidated definition can never trap here.
    static func quota(cpus: Double) -> Int64? {
        let quota = (cpus * Double(cpuPeriod)).rounded(.down)
        guard quota.isFinite, quota >= 1, quota < Double(Int64.max) else { return nil }
        return Int64(quota)
    }

    /// A named volume's mount carries this source until the spec builder puts the volume's host directory
    /// there (`SpecInput.volumePaths`); manifest bind sources are absolute, so they never start with it.
    public static let volumeSourcePrefix = "volume:"

    /// ctr's `--mount`: a bind mount without `bind` or `rbind` among its options is recursive. A named
    /// volume is a bind mount of its directory (or of `subpath` in it).
    static func ociMount(_ definition: MountDefinition) -> OCIMount {
        if definition.type == MountDefinition.volumeType {
            let name = definition.source ?? ""
            let source = volumeSourcePrefix + name + (definition.subpath.map { "/" + $0 } ?? "")
            return OCIMount(destination: definition.destination, type: "bind", source: source, options: ["rbind"] + definition.options)
        }
        var options = definition.options
        if definition.type == "bind", !options.contains("rbind"), !options.contains("bind") {
            options.insert("rbind", at: 0)
        }
        return OCIMount(
            destination: definition.destination, type: definition.type, source: definition.source ?? definition.type,
            options: options)
    }
}
