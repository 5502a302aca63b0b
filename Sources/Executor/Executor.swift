import BerthSystem
import Foundation
import ImageStore
import Manifest
import Checkpoint
import Registry
import OCI
import Planner
import Runtime
import Snapshots
import SpecBuilder
import State
import Synchronization
import Supervision
#if canImport(Glibc)
import Glibc
#endif

/// Carries out a plan: unpacks missing layers, prepares each container's rootfs, writes its bundle,
/// records it, and hands it to a monitor process that runs it with the OCI runtime.
public struct Executor: Sendable {
    public var root: StateRoot
    public var images: ImageStore
    public var snapshots: SnapshotStores
    public var state: StateStore
    /// How to start a monitor; the default re-executes this `berth` binary in its hidden monitor mode.
    public var monitorLauncher: any MonitorLauncher
    /// Where planned pulls are fetched from.
    public var registry: RegistryClient?
    /// Told of each planned pull's progress (a terminal display, when there is one).
    public var pullProgress: (@Sendable (PullProgress) -> Void)?

    public init(
        root: StateRoot, images: ImageStore, snapshots: SnapshotStores, state: StateStore,
        registry: RegistryClient? = nil, monitorLauncher: any MonitorLauncher = SelfExecMonitorLauncher()
    ) {
        self.registry = registry
        self.root = root
        self.images = images
        self.snapshots = snapshots
        self.state = state
        self.monitorLauncher = monitorLauncher
    }

    public enum Action: String, Sendable {
        case create, replace, start, unchanged, remove

        init(_ action: PlanAction) {
            switch action {
            case .create: self = .create
            case .replace: self = .replace
            case .start: self = .start
            case .unchanged: self = .unchanged
            }
        }

        public var symbol: String {
            switch self {
            case .create: return "+"
            case .replace, .start: return "~"
            case .unchanged: return "="
            case .remove: return "-"
            }
        }

        public var pastTense: String {
            switch self {
            case .create: return "created"
            case .replace: return "replaced"
            case .start: return "started"
            case .unchanged: return "unchanged"
            case .remove: return "removed"
            }
        }
    }

    /// What happened to each container of the plan.
    public struct Outcome: Sendable, Equatable {
        public var name: String
        public var action: Action
        /// Layers unpacked for this container's image.
        public var unpacked: Int
        /// Nil when it went well.
        public var error: String?
    }

    /// Applies the plan. Containers that fail are recorded as failed; the others still proceed.
    /// Containers start in waves: each wave holds those whose dependencies started in earlier waves,
    /// and the containers of one wave start in parallel. The caller holds the project's lock
    /// (`ProjectLock.holding`), taken before planning so that concurrent applies serialize.
    public func apply(_ plan: Plan, manifestPath: String, pruneOrphans: Bool = false) throws -> [Outcome] {
        try checkRevision(plan)
        let networking = try ContainerNetworking(root: root, state: state)
        // What a crashed apply left of this project's networking goes first; then the plan's networks.
        try networking.releaseStale(project: plan.project)
        try networking.prepare(plan)
        let volumePaths = try ContainerVolumes(root: root, state: state).prepare(plan)
        var outcomes = plan.containers.map {
            Outcome(name: $0.name, action: Action($0.action), unpacked: 0, error: nil)
        }
        let collected = OutcomeBox(outcomes)
        let positions = Dictionary(uniqueKeysWithValues: plan.containers.enumerated().map { ($1.name, $0) })
        for wave in Self.waves(plan) {
            let work = wave.filter { plan.containers[$0].action != .unchanged }
            let failedBefore = collected.values
            Self.concurrently(work.count, limit: Self.startConcurrency) { i in
                let index = work[i]
                let container = plan.containers[index]
                // As compose does: what depends on a container that failed is not started.
                let failedDependencies = Self.dependencies(of: container).filter { name in
                    positions[name].map { failedBefore[$0].error != nil } ?? false
                }
                if let first = failedDependencies.first {
                    collected.update(index) {
                        $0.error = "container \(container.name) was not started: it depends on \(first), which failed"
                    }
                    return
                }
                do {
                    let wait = DependencyWait(root: root, state: state)
                    for (dependency, requirement) in container.definition.dependencyRequirements.sorted(by: { $0.key < $1.key }) {
                        try wait.wait(dependent: container.name, on: dependency, requirement, project: plan.project)
                    }
                    let record = try state.container(project: plan.project, name: container.name)
                    if container.action == .start, let record {
                        let unpacked = try Lifecycle(root: root, state: state, monitorLauncher: monitorLauncher)
                            .start(record, images: images, snapshots: snapshots)
                        collected.update(index) { $0.unpacked = unpacked }
                        return
                    }
                    if let record {
                        try Teardown(root: root, state: state).remove(record)
                    } else if container.action == .replace {
                        // No record, but the runtime has the id (a lost state database): remove what is left.
                        try Teardown(root: root, state: state).removeUnrecorded(
                            runtimeID: container.runtimeID,
                            runtime: container.runtime)
                    }
                    let unpacked = try create(
                        container, plan: plan, networking: networking, volumePaths: volumePaths, manifestPath: manifestPath)
                    collected.update(index) { $0.unpacked = unpacked }
                } catch {
                    collected.update(index) { $0.error = "\(error)" }
                }
            }
        }
        outcomes = collected.values
        if pruneOrphans {
            for orphan in plan.orphans {
                guard let record = try state.container(project: plan.project, name: orphan.name) else { continue }
                try Teardown(root: root, state: state).remove(record)
                outcomes.append(Outcome(name: orphan.name, action: .remove, unpacked: 0, error: nil))
            }
        }
        return outcomes
    }

    /// Indexes of the plan's containers grouped into start waves, in plan order within a wave.
    static func waves(_ plan: Plan) -> [[Int]] {
        let index = Dictionary(uniqueKeysWithValues: plan.containers.enumerated().map { ($1.name, $0) })
        var level = Array(repeating: 0, count: plan.containers.count)
        // Plan order is a topological order, so dependencies' levels are known first.
        for (i, c) in plan.containers.enumerated() {
            for dep in dependencies(of: c) {
                if let j = index[dep], j < i { level[i] = max(level[i], level[j] + 1) }
            }
        }
        let count = (level.max() ?? -1) + 1
        return (0..<count).map { l in plan.containers.indices.filter { level[$0] == l } }
    }

    /// How many containers of a wave start at once. A start mostly waits (for its monitor, then for the
    /// runtime), so this is several times the core count; more only adds contention.
    static let startConcurrency = max(4, EnvironmentVariable.processorCount * 4)

    /// Runs `body` for 0..<count on up to `limit` threads at once and returns when all are done.
    static func concurrently(_ count: Int, limit: Int, _ body: @escaping @Sendable (Int) -> Void) {
        WorkerThreads.forEach(count, limit: limit, body)
    }

    /// The containers `container` needs started first: its depends-on and the containers whose namespaces it joins.
    static func dependencies(of container: PlannedContainer) -> [String] {
        container.definition.dependencies
    }

    /// Refuses to act on a plan made against an older state (another apply ran in between).
    private func checkRevision(_ plan: Plan) throws {
        let current = try state.revision()
        guard current == plan.stateRevision else {
            throw ExecutorError(
                "plan-stale",
                "the state changed since the plan was made (revision \(plan.stateRevision) → \(current)); plan again")
        }
    }

    private func create(
        _ planned: PlannedContainer, plan: Plan, networking: ContainerNetworking, volumePaths: [String: String], manifestPath: String
    ) throws -> Int {
        let project = plan.project
        let directory = try root.containerDirectory(project: project, name: planned.name)
        let bundle = try root.bundle(project: project, name: planned.name)
        let rootfs = bundle + "/rootfs"
        if let snapshotter = planned.snapshotter {
            // Left by an interrupted earlier attempt: unmount and drop it before the directory goes,
            // so nothing is removed through a mounted rootfs.
            let store = try snapshots.store(for: snapshotter)
            if store.isPrepared(key: planned.snapshotKey) {
                try store.release(key: planned.snapshotKey, rootfs: rootfs, removeData: true)
            }
        }
        try TreeRemoval.remove(directory, inside: root.path)
        try DirectoryMaker.create(try root.guarded(rootfs, "create"), mode: 0o700)
        // The log, empty, mode 0600 whatever the umask (it holds the container's output).
        let log = open(try root.logFile(project: project, name: planned.name), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        let logMade = log >= 0 && fchmod(log, 0o600) == 0
        let reason = SystemErrorText.errno
        if log >= 0 { close(log) }
        guard logMade else {
            throw ExecutorError("log-create-failed", "cannot create the log of \(planned.name) in \(directory): \(reason)")
        }

        // The network attachment runs beside the unpack and the bundle: a start waits for the slower of the two.
        // A container in a namespace of its own is also created by the runtime while the CNI chain runs (a
        // gated monitor: `runc create` once the namespace exists, `runc start` when the chain has ended), so
        // the runtime's set-up is off the critical path of a networked start too.
        let definition = planned.definition
        let gated = ContainerNetworking.makesNamespace(definition) && planned.restore == nil
        let namespace = DispatchSemaphore(value: 0)  // signalled when the netns exists, and when the attach ends
        let (made, attached) = WorkerThreads.alongside({
            defer { namespace.signal() }
            return Result { try networking.attach(definition, project: project, plan: plan, namespaceReady: { namespace.signal() }) }
        }) {
            Result { () throws -> (ContainerRecord, Int, LaunchedMonitor?) in
                let (record, unpacked) = try makeBundle(
                    planned, project: project, networking: networking, volumes: (plan.volumes, volumePaths), manifestPath: manifestPath,
                    bundle: bundle, rootfs: rootfs)
                guard gated else { return (record, unpacked, nil) }
                namespace.wait()
                guard (try? networking.hasNamespace(project: project, name: planned.name)) == true else { return (record, unpacked, nil) }
                // A monitor that cannot be launched now is launched, ungated, after the chain, where its failure
                // is reported as any start's.
                let monitor = try? StartWaiter(state: state).hand(MonitorRequest(root: root, record: record, gated: true), to: monitorLauncher)
                return (record, unpacked, monitor)
            }
        }
        let record: ContainerRecord
        let unpacked: Int
        var monitor: LaunchedMonitor?
        do {
            let bundled = try made.get()
            monitor = bundled.2
            try attached.get()
            (record, unpacked) = (bundled.0, bundled.1)
        } catch {
            // Neither half may stay: a recorded container without its network would not be what runs. A gated
            // monitor removes its created container and unmounts its rootfs before the rest goes.
            if let monitor { StartWaiter.cancel(monitor) }
            if case .success = made {
                try? releaseRootfs(planned, rootfs: rootfs)
                try? state.remove(project: project, name: planned.name)
            }
            try? networking.remove(project: project, name: planned.name)
            throw error
        }
        CrashPoint.hit("apply-after-record")
        let request = MonitorRequest(root: root, record: record)
        if let monitor {
            _ = monitor.open()  // a monitor that is gone has recorded why; the start report says it
            try StartWaiter(state: state).awaitStart(monitor, request: request, launcher: monitorLauncher)
        } else {
            try StartWaiter(state: state).launch(request, with: monitorLauncher)
        }
        return unpacked
    }

    /// Unpacks, prepares the rootfs, writes config.json and records the container: everything of a create
    /// but the network attachment and the hand-off to the monitor.
    private func makeBundle(
        _ planned: PlannedContainer, project: String, networking: ContainerNetworking, volumes: ([PlannedVolume], [String: String]),
        manifestPath: String, bundle: String, rootfs: String
    ) throws -> (ContainerRecord, Int) {
        let directory = try root.containerDirectory(project: project, name: planned.name)
        let runtimeBinary = try RuntimeBinary.locate(planned.runtime)
        var unpacked = 0
        var imageConfig: ImageConfiguration?
        var resolved: ResolvedImage?
        var checkpoint: CheckpointImage?
        if let restore = planned.restore {
            let loaded = try CheckpointImage.load(reference: restore.checkpoint, store: images)
            guard loaded.digest == restore.digest else {
                throw ExecutorError("plan-stale", "checkpoint \(restore.checkpoint) is now \(loaded.digest), planned \(restore.digest); plan again")
            }
            checkpoint = loaded
            resolved = try loaded.baseImage(in: images)
        } else if let reference = planned.image?.reference {
            if let pull = planned.pull {
                guard let registry else {
                    throw ExecutorError("no-registry", "\(reference) must be pulled, but registries are off for this command")
                }
                let pulled = try registry.pull(reference, into: images, progress: pullProgress)
                // The tag may have moved in the registry since the plan: run only what was planned.
                guard pulled.digest == pull.digest else {
                    throw ExecutorError(
                        "plan-stale",
                        "\(reference) is now \(pulled.digest) in the registry, "
                            + "planned \(pull.digest); plan again")
                }
            }
            resolved = try images.resolve(reference)
        }
        if let image = resolved, let snapshotter = planned.snapshotter {
            let store = try snapshots.store(for: snapshotter)
            // Unpack on demand: whatever is still missing now, not what the plan saw.
            unpacked = try store.unpack(image, from: images, progress: .standardErrorIfTerminal()).count
            CrashPoint.hit("apply-after-unpack")
            try store.prepare(key: planned.snapshotKey, image: image, rootfs: rootfs)
            CrashPoint.hit("apply-after-prepare")
            imageConfig = image.config
        }
        // The checkpointed spec is the base; the manifest's fields apply on top (as on a `config:` file).
        let baseSpec = checkpoint?.spec
        if let checkpoint {
            do {
                try CheckpointRestorer.applyRW(checkpoint, store: images, into: rootfs)
                if planned.restore?.process == true {
                    try CheckpointRestorer.extractProcessImages(checkpoint, store: images, into: directory + "/criu")
                }
            } catch {
                try? releaseRootfs(planned, rootfs: rootfs)
                throw error
            }
        }
        let rootfsPath = planned.resolved.usesHostRootfs ? planned.resolved.rootPath : rootfs
        let record: ContainerRecord
        do {
            try ContainerVolumes(root: root, state: state).populate(planned.definition, volumes: volumes.0, paths: volumes.1, rootfs: rootfsPath)
            var input = try SpecAssembly.input(
                project: project, container: planned.resolved, root: root,
                state: state, imageConfig: imageConfig, baseSpec: baseSpec,
                rootfsPath: rootfsPath, networking: networking)
            input.volumePaths = volumes.1
            let spec = try SpecBuilder.build(input)
            try SecretFiles.write(
                planned.definition.secretMounts, for: spec, into: try root.secretsDirectory(project: project, name: planned.name))
            let specData = try SpecBuilder.encode(spec)
            // No fsync: after a power loss no container runs, and apply rebuilds every bundle it starts.
            try AtomicFile.write(specData, to: bundle + "/config.json", mode: 0o600, durability: .crashSafe)
            CrashPoint.hit("apply-after-bundle")
            let configJSON = String(decoding: try ManifestRenderer.canonicalJSON(of: planned.definition), as: UTF8.self)
            var made = ContainerRecord(
                project: project, name: planned.name, runtimeID: planned.runtimeID,
                configHash: planned.configHash, specDigest: Self.sha256(specData),
                imageReference: resolved?.reference, imageDigest: resolved?.digest.description,
                snapshotter: planned.snapshotterName, snapshotKey: planned.snapshotKey,
                bundlePath: bundle, runtimeBinary: runtimeBinary, noPivot: planned.resolved.noPivot,
                status: .created, createdAt: Timestamp.now())
            made.configJSON = configJSON
            Self.supervise(&made, planned.definition, image: imageConfig?.config, spec: spec)
            let mounted = Set(planned.definition.mounts.filter { $0.type == MountDefinition.volumeType }.compactMap(\.source))
            let fullNames = volumes.0.filter { mounted.contains($0.name) }.map(\.fullName).sorted()
            if !fullNames.isEmpty { made.volumes = String(decoding: try JSONEncoder().encode(fullNames), as: UTF8.self) }
            try state.save(made, manifestPath: manifestPath)
            record = made
        } catch {
            try? releaseRootfs(planned, rootfs: rootfs)
            throw error
        }
        return (record, unpacked)
    }

    /// What the monitor and `stop` read from the record: the restart policy, the health check (the
    /// manifest's, else the image's), the stop signal (as the spec builder wrote it in the spec's
    /// annotation: one rule) and the grace period.
    static func supervise(
        _ record: inout ContainerRecord, _ definition: ContainerDefinition, image: ImageConfiguration.ExecutionConfig?, spec: RuntimeSpec
    ) {
        record.restartPolicy = definition.restart == .no ? nil : definition.restart.description
        record.restartOnUnhealthy = definition.restartOnUnhealthy
        if let check = definition.healthcheck.effective(image: image?.healthcheck) {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            record.healthcheck = (try? encoder.encode(check)).map { String(decoding: $0, as: UTF8.self) }
            record.health = HealthStatus.starting.rawValue
        }
        record.stopSignal = spec.annotations?[SpecBuilder.stopSignalAnnotation].flatMap { SignalName.parse($0)?.name }
        record.stopGracePeriod = definition.stopGracePeriod
    }

    private func releaseRootfs(_ planned: PlannedContainer, rootfs: String) throws {
        guard let snapshotter = planned.snapshotter else { return }
        try snapshots.store(for: snapshotter).release(key: planned.snapshotKey, rootfs: rootfs, removeData: true)
    }

    /// Outcomes written from parallel starts.
    final class OutcomeBox: Sendable {
        private let storage: Mutex<[Outcome]>
        init(_ outcomes: [Outcome]) { storage = Mutex(outcomes) }
        func update(_ index: Int, _ change: (inout Outcome) -> Void) {
            storage.withLock { change(&$0[index]) }
        }
        var values: [Outcome] { storage.withLock { $0 } }
    }

    static func sha256(_ data: Data) -> String {
        SHA256Hex.digest(of: data)
    }
}
