import Manifest
import OCI
import SpecBuilder

/// What `apply` will do, decided before anything changes: a pure value, printable and deterministic
/// (no timestamps, no host paths, containers in start order).
public struct Plan: Encodable, Hashable, Sendable {
    public var project: String
    /// The manifest file as the user named it.
    public var manifest: String
    /// The state revision the plan was computed against.
    public var stateRevision: Int
    /// Containers in the order they will be started (dependencies first, then by name).
    public var containers: [PlannedContainer]
    /// Containers recorded for the project but absent from the manifest.
    public var orphans: [PlannedOrphan]
    /// The networks the containers are on, by name, with their subnets.
    public var networks: [PlannedNetwork]
    /// The manifest's network declarations the networks were planned from (a saved plan carries these and
    /// plans the networks again when it is applied; the printed plan leaves them out).
    public var declaredNetworks: [NetworkDefinition] = []
    /// The named volumes, by name.
    public var volumes: [PlannedVolume] = []
    /// The images of `build:`, by container, with whether apply builds them and why.
    public var builds: [PlannedBuild] = []

    public init(
        project: String, manifest: String, stateRevision: Int, containers: [PlannedContainer],
        orphans: [PlannedOrphan], networks: [PlannedNetwork] = []
    ) {
        self.project = project
        self.manifest = manifest
        self.stateRevision = stateRevision
        self.containers = containers
        self.orphans = orphans
        self.networks = networks
    }

    public func network(named name: String) -> PlannedNetwork? {
        networks.first { $0.name == name }
    }

    public var summary: PlanSummary {
        var s = PlanSummary()
        for c in containers {
            switch c.action {
            case .create: s.create += 1
            case .replace: s.replace += 1
            case .start: s.start += 1
            case .unchanged: s.unchanged += 1
            }
            s.layersToUnpack += c.unpack.count
        }
        s.orphans = orphans.count
        s.networksToCreate = networks.filter { $0.action == .create }.count
        s.volumesToCreate = volumes.filter { $0.action == .create }.count
        return s
    }

    /// Containers that another container depends on (`depends-on`, or a `with-ns` container join):
    /// services that keep running, as opposed to the jobs `apply --wait` waits for.
    public var serviceNames: Set<String> {
        Set(containers.flatMap(\.definition.dependencies))
    }

    /// Whether applying this plan changes anything.
    public var hasChanges: Bool {
        containers.contains { $0.action != .unchanged } || containers.contains { !$0.unpack.isEmpty }
            || networks.contains { $0.action == .create } || volumes.contains { $0.action == .create } || builds.contains(where: \.needed)
    }

    enum CodingKeys: String, CodingKey {
        case project, manifest, containers, orphans, summary, networks, volumes, builds
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(project, forKey: .project)
        try c.encode(manifest, forKey: .manifest)
        try c.encode(containers, forKey: .containers)
        try c.encode(orphans, forKey: .orphans)
        try c.encode(summary, forKey: .summary)
        if !networks.isEmpty { try c.encode(networks, forKey: .networks) }
        if !volumes.isEmpty { try c.encode(volumes, forKey: .volumes) }
        if !builds.isEmpty { try c.encode(builds, forKey: .builds) }
    }
}

/// How many containers each action touches, and how many layers will be unpacked.
public struct PlanSummary: Codable, Hashable, Sendable {
    public var create = 0
    public var replace = 0
    public var start = 0
    public var unchanged = 0
    public var orphans = 0
    public var layersToUnpack = 0
    public var networksToCreate = 0
    public var volumesToCreate = 0

    enum CodingKeys: String, CodingKey {
        case create, replace, start, unchanged, orphans, layersToUnpack, networksToCreate, volumesToCreate
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        create = try c.decode(Int.self, forKey: .create)
        replace = try c.decode(Int.self, forKey: .replace)
        start = try c.decode(Int.self, forKey: .start)
        unchanged = try c.decode(Int.self, forKey: .unchanged)
        orphans = try c.decode(Int.self, forKey: .orphans)
        layersToUnpack = try c.decode(Int.self, forKey: .layersToUnpack)
        networksToCreate = try c.decodeIfPresent(Int.self, forKey: .networksToCreate) ?? 0
        volumesToCreate = try c.decodeIfPresent(Int.self, forKey: .volumesToCreate) ?? 0
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(create, forKey: .create)
        try c.encode(replace, forKey: .replace)
        try c.encode(start, forKey: .start)
        try c.encode(unchanged, forKey: .unchanged)
        try c.encode(orphans, forKey: .orphans)
        try c.encode(layersToUnpack, forKey: .layersToUnpack)
        if networksToCreate > 0 { try c.encode(networksToCreate, forKey: .networksToCreate) }
        if volumesToCreate > 0 { try c.encode(volumesToCreate, forKey: .volumesToCreate) }
    }
}

/// What happens to one container.
public enum PlanAction: String, Codable, Hashable, Sendable {
    case create
    case replace
    /// Start the existing container again in place (its writable snapshot and files kept): it is down
    /// though it should run.
    case start
    case unchanged

    /// The symbol printed before the container's name.
    public var symbol: String {
        switch self {
        case .create: return "+"
        case .replace, .start: return "~"
        case .unchanged: return "="
        }
    }
}

/// One container of the plan: what happens to it and why, the image and layers it needs, the ids it will
/// have, and the resolved container its spec is built from (nothing later re-reads the manifest).
public struct PlannedContainer: Codable, Hashable, Sendable {
    public init(
        name: String, action: PlanAction, reasons: [String], image: PlannedImage?, unpack: [PlannedLayer],
        snapshotter: SnapshotterKind?, snapshotKey: String, runtime: String, runtimeID: String, configHash: String,
        definition: ContainerDefinition
    ) {
        self.name = name
        self.action = action
        self.reasons = reasons
        self.image = image
        self.unpack = unpack
        self.snapshotter = snapshotter
        self.snapshotKey = snapshotKey
        self.runtime = runtime
        self.runtimeID = runtimeID
        self.configHash = configHash
        self.definition = definition
        self.resolved = ResolvedContainer(resolving: definition)
    }

    public var name: String
    public var action: PlanAction
    /// Why the action was chosen, one line each.
    public var reasons: [String]
    public var image: PlannedImage?
    /// Layers that must be unpacked first (empty when the image is already unpacked).
    public var unpack: [PlannedLayer]
    /// The snapshotter the image is unpacked into; nil for a `rootfs:` container (printed as `none`).
    public var snapshotter: SnapshotterKind?
    /// The key of the container's writable snapshot.
    public var snapshotKey: String
    /// The runtime as the manifest names it.
    public var runtime: String
    /// The id the runtime knows the container by.
    public var runtimeID: String
    /// Hash of everything that, when changed, makes the container be replaced.
    public var configHash: String
    /// The validated manifest entry the decisions were made from: what the change hash covers and what a
    /// saved plan carries (and is checked against when it is read back).
    public var definition: ContainerDefinition {
        didSet { resolved = ResolvedContainer(resolving: definition) }
    }
    /// The decisions the spec is built from, derived from `definition` whenever it is set (a saved plan never
    /// carries them, so a saved plan cannot say one thing in its definition and another in its spec inputs).
    public private(set) var resolved: ResolvedContainer
    /// Set when the image must first be pulled from its registry.
    public var pull: PlannedPull?
    /// Set when the container is restored from a checkpoint image.
    public var restore: PlannedRestore?

    enum CodingKeys: String, CodingKey {
        case name, action, reasons, image, unpack, snapshotter, snapshotKey, runtime, runtimeID, configHash, pull, restore
        case definition
    }

    /// Set in an encoder's `userInfo` to write each container's `definition` (saved plans only: the
    /// printed plan leaves it out, as it holds host paths).
    public static let includeDefinition = CodingUserInfoKey(rawValue: "berth.plan.includeDefinition")

    /// The snapshotter's name as plans print it: `none` for a `rootfs:` container.
    public var snapshotterName: String { snapshotter?.rawValue ?? "none" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name), action: try c.decode(PlanAction.self, forKey: .action),
            reasons: try c.decode([String].self, forKey: .reasons), image: try c.decodeIfPresent(PlannedImage.self, forKey: .image),
            unpack: try c.decode([PlannedLayer].self, forKey: .unpack), snapshotter: try Self.decodeSnapshotter(c),
            snapshotKey: try c.decode(String.self, forKey: .snapshotKey), runtime: try c.decode(String.self, forKey: .runtime),
            runtimeID: try c.decode(String.self, forKey: .runtimeID), configHash: try c.decode(String.self, forKey: .configHash),
            definition: try c.decode(ContainerDefinition.self, forKey: .definition))
        pull = try c.decodeIfPresent(PlannedPull.self, forKey: .pull)
        restore = try c.decodeIfPresent(PlannedRestore.self, forKey: .restore)
    }

    private static func decodeSnapshotter(_ c: KeyedDecodingContainer<CodingKeys>) throws -> SnapshotterKind? {
        let name = try c.decode(String.self, forKey: .snapshotter)
        if name == "none" { return nil }
        guard let kind = SnapshotterKind(rawValue: name) else {
            throw DecodingError.dataCorruptedError(
                forKey: .snapshotter, in: c, debugDescription: "unknown snapshotter \"\(name)\"; use overlayfs, native or none")
        }
        return kind
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(action, forKey: .action)
        try c.encode(reasons, forKey: .reasons)
        try c.encodeIfPresent(image, forKey: .image)
        try c.encode(unpack, forKey: .unpack)
        try c.encode(snapshotterName, forKey: .snapshotter)
        try c.encode(snapshotKey, forKey: .snapshotKey)
        try c.encode(runtime, forKey: .runtime)
        try c.encode(runtimeID, forKey: .runtimeID)
        try c.encode(configHash, forKey: .configHash)
        try c.encodeIfPresent(pull, forKey: .pull)
        try c.encodeIfPresent(restore, forKey: .restore)
        if let key = Self.includeDefinition, encoder.userInfo[key] as? Bool == true {
            try c.encode(definition, forKey: .definition)
        }
    }
}

/// The image a container runs: its reference resolved to a manifest digest in the store or a registry.
public struct PlannedImage: Codable, Hashable, Sendable {
    /// The normalized reference.
    public var reference: String
    /// The manifest digest the reference resolves to.
    public var digest: Digest
    public var configDigest: Digest
    public var platform: String
}

/// An image to pull before unpacking: its manifest digest and what the store still lacks.
public struct PlannedPull: Codable, Hashable, Sendable {
    public var reference: String
    public var digest: Digest
    public var blobs: Int
    public var bytes: Int64
    /// Layers to unpack once pulled.
    public var layers: Int
}

/// A restore from a checkpoint image.
public struct PlannedRestore: Codable, Hashable, Sendable {
    public var checkpoint: String
    public var digest: Digest
    public var baseImage: String
    /// Compressed size of the checkpoint's writable-layer diff.
    public var rwBytes: Int64
    /// Whether the process state is restored (CRIU) or only the files.
    public var process: Bool
    /// Manifest fields applied on top of the checkpointed spec (filesystem restores only).
    public var overrides: [String] = []
}

/// A layer still to unpack: its blob, its uncompressed digest (diff ID) and the chain ID that names its snapshot.
public struct PlannedLayer: Codable, Hashable, Sendable {
    public var index: Int
    public var digest: Digest
    public var diffID: Digest
    public var chainID: Digest
    public var mediaType: String
    public var size: Int64
}

/// A container recorded for the project but no longer in the manifest: kept unless `apply --prune`.
public struct PlannedOrphan: Codable, Hashable, Sendable {
    public var name: String
    public var status: String
}

/// A container's image to build (`build:`): whether apply builds it, and why (`never built`, `context
/// changed (src/app.py)`, `up to date`).
public struct PlannedBuild: Codable, Hashable, Sendable {
    public var name: String
    public var needed: Bool
    public var reason: String

    public init(name: String, needed: Bool, reason: String) {
        self.name = name
        self.needed = needed
        self.reason = reason
    }
}
