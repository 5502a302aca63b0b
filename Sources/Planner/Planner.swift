import BerthSystem
import Crypto
import Diagnostics
import Foundation
import ImageStore
import Manifest
import OCI
import Registry
import Checkpoint
import Snapshots
import State

/// Decides what `apply` will do: validates the host, resolves images to digests, finds the layers
/// still to unpack and compares each container with what runs. It changes nothing and asks nothing of the
/// world beyond reading the local image and snapshot stores: what it needs from outside (the state, the
/// runtime, registries, CRIU, host checks) comes in `PlanInputs`, gathered before it runs.
public struct Planner: Sendable {
    public var images: ImageStore
    public var snapshots: SnapshotStores

    public init(images: ImageStore, snapshots: SnapshotStores) {
        self.images = images
        self.snapshots = snapshots
    }

    /// What is known of one container before deciding: its observed record, its writable snapshot, whether
    /// other containers depend on it, whether the runtime has its id without a record.
    struct Situation {
        var observed: ObservedContainer?
        var snapshot: WritableSnapshotCondition = .present
        var isService = false
        var unrecordedInRuntime = false
    }

    public struct Options: Sendable {
        /// Replace containers even when nothing changed.
        public var forceRecreate: Bool
        /// Plan from the image store alone (`berth spec`): an image in the store is used whatever the
        /// pull policy; one that is missing is an error, never a pull.
        public var storeOnly: Bool
        /// Print the values of env entries read from env-files in change reasons (`plan --show-values`);
        /// by default they are shown as their key and a digest, so a CI log does not leak them.
        public var showValues: Bool

        public init(forceRecreate: Bool = false, storeOnly: Bool = false, showValues: Bool = false) {
            self.forceRecreate = forceRecreate
            self.storeOnly = storeOnly
            self.showValues = showValues
        }
    }

    /// The plan for `manifest` given `inputs` (the project is the inputs'). Runtime ids and snapshot keys
    /// are `<project>.<container>`: project names hold no dot, so every pair has its own.
    public func plan(_ manifest: ProjectManifest, inputs: PlanInputs, options: Options = Options()) throws -> Plan {
        let project = inputs.project
        try Names.validate(project, .project, source: "project")
        var diagnostics = inputs.hostDiagnostics.filter { $0.severity == .error }
        let records = inputs.observed.mapValues(\.record)
        let services = manifest.serviceNames
        var planned: [String: PlannedContainer] = [:]
        let order = try StartOrder.sorted(manifest.containers)

        // In start order, so the containers whose namespaces a container joins are planned before it.
        for name in order {
            guard let container = manifest.container(named: name) else { continue }
            do {
                let situation = self.situation(
                    of: inputs.observed[container.name], isService: services.contains(container.name),
                    runtimeID: "\(project).\(container.name)", runtimeIDs: inputs.runtimeIDs)
                if let item = try planContainer(
                    container, project: project, situation: situation, inputs: inputs,
                    peers: planned, options: options, diagnostics: &diagnostics)
                {
                    planned[container.name] = item
                }
            } catch let error as any BerthError {
                diagnostics.append(.error(at: container.locations.container, error.message))
            }
        }
        let networks = planNetworks(manifest, project: project, inputs: inputs, diagnostics: &diagnostics)
        let volumes = planVolumes(
            manifest, project: project, existing: inputs.volumes, containers: order.compactMap { planned[$0] }, diagnostics: &diagnostics)
        if diagnostics.hasErrors {
            throw PlanError(code: "plan-failed", diagnostics)
        }
        let orphans = records.values.filter { manifest.container(named: $0.name) == nil }
            .sorted { $0.name < $1.name }
            .map { PlannedOrphan(name: $0.name, status: $0.status.rawValue) }
        var plan = Plan(
            project: project, manifest: manifest.path, stateRevision: inputs.stateRevision,
            containers: order.compactMap { planned[$0] }, orphans: orphans, networks: networks)
        plan.declaredNetworks = manifest.networks.filter(\.isDeclared)
        plan.volumes = volumes
        return plan
    }

    /// The networks of a saved plan, planned again against the current state from the declarations it
    /// carries (with the state revision unchanged, the same networks `berth plan` printed).
    public func networks(of plan: Plan, inputs: PlanInputs) throws -> [PlannedNetwork] {
        var manifest = ProjectManifest(
            name: plan.project, path: plan.manifest, directory: "/", containers: plan.containers.map(\.definition))
        manifest.networks = NetworkDefinition.effective(declared: plan.declaredNetworks, containers: manifest.containers)
        var diagnostics: [Diagnostic] = []
        let networks = planNetworks(manifest, project: plan.project, inputs: inputs, diagnostics: &diagnostics)
        if diagnostics.hasErrors { throw PlanError(code: "plan-failed", diagnostics) }
        return networks
    }

    func situation(of observed: ObservedContainer?, isService: Bool, runtimeID: String, runtimeIDs: Set<String>) -> Situation {
        guard let observed else {
            return Situation(observed: nil, isService: isService, unrecordedInRuntime: runtimeIDs.contains(runtimeID))
        }
        let record = observed.record
        var snapshot = WritableSnapshotCondition.present
        if !record.snapshotKey.isEmpty, let store = try? snapshots.store(named: record.snapshotter) {
            snapshot = store.condition(key: record.snapshotKey)
        }
        // A container whose policy restarts it after every exit is a service, whatever depends on it.
        let restartsAlways = record.restartPolicy.flatMap(RestartPolicy.init(parsing:))?.startsAtBoot ?? false
        return Situation(observed: observed, snapshot: snapshot, isService: isService || restartsAlways)
    }

    private func planContainer(
        _ container: ContainerDefinition, project: String, situation: Situation, inputs: PlanInputs,
        peers: [String: PlannedContainer], options: Options,
        diagnostics: inout [Diagnostic]
    ) throws -> PlannedContainer? {
        var image: PlannedImage?
        var unpack: [PlannedLayer] = []
        var imageDigest = "none"
        var pull: PlannedPull?
        var restore: PlannedRestore?
        var resolved: ResolvedImage?
        var toBuild: String?
        if let reference = container.checkpoint {
            guard let planned = try planRestore(container, reference: reference, criu: inputs.criu, diagnostics: &diagnostics) else { return nil }
            (restore, resolved) = planned
        } else if let reference = container.image, container.build != nil, try images.lookup(reference) == nil {
            // Built by apply before it plans again: nothing to resolve yet.
            toBuild = reference
            imageDigest = "to be built"
        } else if let reference = container.image {
            switch try resolveImage(
                container, reference: reference, remote: inputs.remote[reference], storeOnly: options.storeOnly, diagnostics: &diagnostics)
            {
            case .none: return nil
            case .local(let local): resolved = local
            case .pull(let remote):
                pull = PlannedPull(
                    reference: remote.reference, digest: remote.digest, blobs: remote.missingBlobs.count,
                    bytes: remote.missingBytes, layers: remote.manifest.layers.count)
                image = PlannedImage(
                    reference: remote.reference, digest: remote.digest,
                    configDigest: remote.manifest.config.digest, platform: "pulled")
                imageDigest = remote.digest.description
            }
        }
        if let resolved {
            image = PlannedImage(
                reference: resolved.reference, digest: resolved.digest,
                configDigest: resolved.manifest.config.digest,
                platform: resolved.config.platform.description)
            imageDigest = resolved.digest.description
            let store = try snapshots.store(for: container.snapshotter)
            unpack = try store.pendingLayers(for: resolved).map {
                PlannedLayer(
                    index: $0.index, digest: $0.descriptor.digest, diffID: $0.diffID, chainID: $0.chainID,
                    mediaType: $0.descriptor.mediaType.rawValue, size: $0.descriptor.size)
            }
        }
        if let restore { imageDigest += " checkpoint \(restore.digest)" }
        // Secret and config values change the container through their digests (never their values).
        for digest in try container.secretDigests() { imageDigest += " \(digest)" }
        let canonical = try ManifestRenderer.canonicalJSON(of: container)
        // A container that joins another's namespaces changes with it: it must join the new namespaces.
        let joined = container.withNamespaces.compactMap { join -> PlannedContainer? in
            if case .container(let name) = join.target { return peers[name] }
            return nil
        }
        let hash = Self.configHash(
            canonical: canonical, imageDigest: imageDigest,
            peerHashes: joined.map { "\($0.name)=\($0.configHash)" })
        // Only what the manifest itself writes under `env:` is shown; values from env-files are redacted.
        let shown = options.showValues ? nil : Set(container.env.map { String($0.prefix { $0 != "=" }) })
        var (action, reasons) = Self.decide(
            situation, hash: hash, canonical: canonical,
            imageDigest: image?.digest.description, options: options, envKeysShown: shown)
        if let toBuild { reasons.append("image \(toBuild) to be built") }
        // A peer started again in place keeps nothing of its old namespaces either: it has new ones.
        let movingPeers = joined.filter { $0.action != .unchanged }.map(\.name)
        if action == .unchanged, !movingPeers.isEmpty {
            action = .replace
            reasons = movingPeers.map { "joins the namespaces of \($0), which is being recreated" }
        } else if action == .replace, reasons == ["configuration changed"], !movingPeers.isEmpty {
            reasons = movingPeers.map { "joins the namespaces of \($0), which is being recreated" }
        }
        var planned = PlannedContainer(
            name: container.name, action: action, reasons: reasons, image: image, unpack: unpack,
            snapshotter: container.rootfs == nil ? container.snapshotter : nil,
            snapshotKey: container.rootfs == nil ? "\(project).\(container.name)" : "",
            runtime: container.runtime, runtimeID: "\(project).\(container.name)",
            configHash: hash, definition: container)
        planned.pull = pull
        planned.restore = restore
        return planned
    }

    /// The one line shown when a manifest names an image the store does not have.
    public static func missingImageMessage(_ reference: String) -> String {
        let normalized = (try? ImageReference(parsing: reference).description) ?? reference
        return
            "image \"\(normalized)\" is not in the store; import it first with `berth image import --rootfs DIR --tag \(normalized)` or `berth image import ARCHIVE`"
    }

    static func configHash(canonical: Data, imageDigest: String, peerHashes: [String] = []) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("berth-config-v1\n".utf8))
        hasher.update(data: canonical)
        hasher.update(data: Data("\nimage \(imageDigest)\n".utf8))
        for peer in peerHashes.sorted() {
            hasher.update(data: Data("joins \(peer)\n".utf8))
        }
        return hasher.finalize().digestString
    }

    /// The action for one container and why. Configuration first (changed → replace); then what runs:
    /// a container that should run but does not is started again in place (a service, or one that was
    /// stopped by hand or killed by a signal — exit status above 128, or no exit recorded); a job that
    /// ended on its own stays ended; a container without its monitor, or whose writable snapshot is gone
    /// or damaged, is replaced.
    static func decide(
        _ situation: Situation, hash: String, canonical: Data, imageDigest: String?,
        options: Options, envKeysShown: Set<String>? = nil
    ) -> (PlanAction, [String]) {
        guard let observed = situation.observed else {
            if situation.unrecordedInRuntime {
                return (.replace, ["found in the runtime without a record (the state was lost), will replace"])
            }
            return (.create, ["new container"])
        }
        let record = observed.record
        if record.configHash != hash {
            var reasons = ChangeReasons.between(old: record.configJSON.map { Data($0.utf8) }, new: canonical, envKeysShown: envKeysShown)
            if let imageDigest, record.imageDigest != imageDigest {
                reasons.append("image \(record.imageReference ?? "") now \(imageDigest)")
            }
            if reasons.isEmpty { reasons = ["configuration changed"] }
            return (.replace, reasons)
        }
        if options.forceRecreate { return (.replace, ["--force-recreate"]) }
        switch situation.snapshot {
        case .present: break
        case .missing: return (.replace, ["writable snapshot missing, will recreate"])
        case .damaged(let why): return (.replace, ["writable snapshot damaged (\(why)), will recreate"])
        }
        switch record.status {
        case .failed:
            return (.replace, ["last start failed: \(record.failure ?? "unknown reason")"])
        case .created:
            return (.replace, ["created but never started"])
        case .running, .restarting:
            if !observed.supervised {
                return (.replace, ["running without its monitor (unsupervised: its end and output are not recorded), will replace"])
            }
            return (.unchanged, [record.status == .restarting ? "restarting (its restart policy runs it again)" : "running"])
        case .stopped:
            return (.start, ["not running (stopped), will start"])
        case .exited:
            let code = record.exitCode
            let killed = code.map { $0 > 128 } ?? true
            if situation.isService || killed {
                return (.start, ["not running (exited \(code.map(String.init) ?? "without a recorded status")), will start"])
            }
            return (.unchanged, ["exited with code \(code.map(String.init) ?? "unknown")"])
        }
    }
}
