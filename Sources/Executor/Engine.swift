import Checkpoint
import Foundation
import ImageBuild
import OCI
import SpecBuilder
import ImageStore
import Manifest
import Planner
import Registry
import Snapshots
import State

/// The sequences the CLI runs, in one place: gathering the planner's inputs, planning, and apply (under
/// the project's lock: plan or check a saved plan, then execute). The CLI parses, calls one of these and
/// prints.
public struct Engine: Sendable {
    public var root: StateRoot
    public var images: ImageStore
    public var snapshots: SnapshotStores
    public var state: StateStore
    /// Where images are pulled from; nil: registries are off.
    public var registry: RegistryClient?

    public init(
        root: StateRoot, images: ImageStore, snapshots: SnapshotStores, state: StateStore,
        registry: RegistryClient? = nil
    ) {
        self.root = root
        self.images = images
        self.snapshots = snapshots
        self.state = state
        self.registry = registry
    }

    /// The one observer of what runs, shared by the planner's inputs, the executor and `ps`.
    public var liveness: Liveness { Liveness(root: root, state: state) }

    /// Gathers the inputs and plans `manifest` as `project` (no lock: nothing changes).
    public func plan(_ manifest: ProjectManifest, project: String, options: Planner.Options = .init()) throws -> Plan {
        let inputs = try PlanInputs.gather(
            for: manifest, project: project,
            from: .init(state: state, images: images, registry: registry, observer: liveness))
        var plan = try Planner(images: images, snapshots: snapshots).plan(manifest, inputs: inputs, options: options)
        let builder = ImageBuilder(root: root, images: images)
        for container in manifest.containers {
            guard let status = try builder.status(project: project, container: container) else { continue }
            plan.builds.append(PlannedBuild(name: container.name, needed: status.needed, reason: status.reason))
        }
        return plan
    }

    /// The config.json `apply` would write for `container` of `project`, made without creating anything:
    /// the container is planned as `apply` plans it (from the store only: no registry is asked), its image's
    /// layers are viewed read-only (for user lookups), and the input is assembled as `apply` assembles it
    /// (a checkpoint's spec as the base, peers' pids for `with-ns` container joins).
    public func spec(of container: ContainerDefinition, in manifest: ProjectManifest, project: String) throws -> RuntimeSpec {
        var single = manifest
        single.containers = [container]
        var offline = self
        offline.registry = nil
        let plan = try offline.plan(single, project: project, options: .init(storeOnly: true))
        guard let planned = plan.containers.first else {
            throw ExecutorError("no-container", "no container \(container.name) in the plan")
        }
        var baseSpec: RuntimeSpec?
        var image: ResolvedImage?
        if let restore = planned.restore {
            let checkpoint = try CheckpointImage.load(reference: restore.checkpoint, store: images)
            baseSpec = checkpoint.spec
            image = try checkpoint.baseImage(in: images)
        } else if let reference = planned.image?.reference {
            image = try images.resolve(reference)
        }
        let view = try image.flatMap { image in
            try planned.snapshotter.flatMap { try RootfsView(image: image, snapshots: snapshots.store(for: $0)) }
        }
        defer { view?.close() }
        let resolved = planned.resolved
        var input = try SpecAssembly.input(
            project: project, container: resolved, root: root, state: state,
            imageConfig: image?.config, baseSpec: baseSpec,
            rootfsPath: resolved.usesHostRootfs ? resolved.rootPath : view?.path ?? "/nonexistent")
        // Where apply puts each volume (nothing is made here).
        let volumes = ContainerVolumes(root: root, state: state)
        for volume in plan.volumes { input.volumePaths[volume.name] = try volumes.dataPath(volume) }
        return try SpecBuilder.build(input)
    }

    /// Whether applying `source` may make a network: one it declares (or the default network it uses) is
    /// not recorded for its project yet.
    static func makesNetworks(_ source: Source, state: StateStore) throws -> Bool {
        let wanted: [String]
        switch source {
        case .manifest(let manifest, _, _): wanted = manifest.networks.filter { $0.external == nil }.map(\.name)
        case .saved(let saved):
            let definitions = saved.containers.map(\.definition)
            wanted = NetworkDefinition.effective(declared: saved.networks, containers: definitions).filter { $0.external == nil }.map(\.name)
        }
        guard !wanted.isEmpty else { return false }
        let recorded = Set(try state.networks(project: source.project).map(\.name))
        return wanted.contains { !recorded.contains($0) }
    }

    /// What `apply` carries out: a manifest to plan now, or a plan saved earlier.
    public enum Source: Sendable {
        /// `path` is the manifest file recorded for the project.
        case manifest(ProjectManifest, path: String, project: String)
        case saved(SavedPlan)

        var project: String {
            switch self {
            case .manifest(_, _, let project): return project
            case .saved(let saved): return saved.project
            }
        }
    }

    /// What `apply` did: the plan, and per container what happened (nil for a dry run).
    public struct Applied: Sendable {
        public var plan: Plan
        public var outcomes: [Executor.Outcome]?
    }

    /// Plans (or checks the saved plan against the store and the registries) and carries the plan out,
    /// all under the project's lock, so that a concurrent apply of the same project waits and then plans
    /// against what this one did. `configure` adjusts the executor (monitor launcher, pull progress).
    public func apply(
        _ source: Source, options: Planner.Options = .init(), dryRun: Bool = false, prune: Bool = false,
        configure: (inout Executor) -> Void = { _ in }
    ) throws -> Applied {
        try ProjectLock.holding(root: root, project: source.project) {
            // A network about to be made takes a subnet from the host's: plan and make it under the host-wide
            // lock, so that two applies (of two projects, or two state roots) never pick the same range.
            let hostLock = try Self.makesNetworks(source, state: state) ? ContainerNetworking.lockHostNetworks() : nil
            defer { hostLock?.unlock() }
            let plan: Plan
            let manifestPath: String
            switch source {
            case .saved(let saved):
                var current = saved.plan
                try SavedPlan.verifyCurrent(current, images: images, registry: registry)
                if !current.declaredNetworks.isEmpty || current.containers.contains(where: { !$0.definition.attachments.isEmpty }) {
                    var inputs = PlanInputs(project: saved.project, stateRevision: try state.revision())
                    try inputs.gatherNetworks(from: state)
                    current.networks = try Planner(images: images, snapshots: snapshots).networks(of: current, inputs: inputs)
                }
                plan = current
                manifestPath = saved.manifest
            case .manifest(let manifest, let path, let project):
                plan = try self.plan(manifest, project: project, options: options)
                manifestPath = path
            }
            if dryRun { return Applied(plan: plan, outcomes: nil) }
            var executor = Executor(root: root, images: images, snapshots: snapshots, state: state, registry: registry)
            configure(&executor)
            return Applied(plan: plan, outcomes: try executor.apply(plan, manifestPath: manifestPath, pruneOrphans: prune))
        }
    }
}
