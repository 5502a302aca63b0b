import BerthSystem
import Checkpoint
import Diagnostics
import Foundation
import ImageStore
import Manifest
import Registry
import State

/// Everything the planner needs from outside the manifest and the local stores, gathered before it runs:
/// what the state records and what really runs (through one `ContainerObserver`, the same the executor
/// and `ps` use), what registries answer for the references that pull policies need, whether CRIU can
/// restore processes, and the host checks of the manifest. With these the planner is a pure function:
/// tests build them by hand, without a registry, a process or /proc.
public struct PlanInputs: Sendable {
    public var project: String
    /// The state revision the plan is made against.
    public var stateRevision: Int
    /// The project's containers as recorded and observed, by name.
    public var observed: [String: ObservedContainer]
    /// The ids the runtime knows under the state root (filled only when some container has no record).
    public var runtimeIDs: Set<String>
    /// What the registry said for each reference resolved, by the reference as written.
    public var remote: [String: RemoteAnswer]
    /// CRIU's availability, checked only when some container may restore a process.
    public var criu: CriuStatus?
    /// Host checks of the manifest (bind sources, env-files, runtimes on PATH): errors fail the plan.
    public var hostDiagnostics: [Diagnostic]
    /// Every network Berth made under this state root, of every project (for subnets and external networks).
    public var networks: [NetworkRecord] = []
    /// Every network membership recorded, of every project (for the host ports others hold).
    public var attachments: [AttachmentRecord] = []
    /// The host's routes that are not Berth's bridges nor the default route: subnets a network must avoid.
    public var hostRoutes: [IPv4Subnet] = []
    /// The full names of the volumes recorded under the state root.
    public var volumes: Set<String> = []

    public init(
        project: String, stateRevision: Int = 0, observed: [String: ObservedContainer] = [:],
        runtimeIDs: Set<String> = [], remote: [String: RemoteAnswer] = [:], criu: CriuStatus? = nil,
        hostDiagnostics: [Diagnostic] = []
    ) {
        self.project = project
        self.stateRevision = stateRevision
        self.observed = observed
        self.runtimeIDs = runtimeIDs
        self.remote = remote
        self.criu = criu
        self.hostDiagnostics = hostDiagnostics
    }

    /// A registry's answer for one reference.
    public enum RemoteAnswer: Sendable {
        case image(RemoteImage)
        /// Resolving failed; the text says why.
        case failed(String)
    }

    /// Where the world is looked at; each part is optional (nil: not consulted).
    public struct Sources: Sendable {
        public var state: StateStore
        public var images: ImageStore
        public var registry: RegistryClient?
        public var observer: (any ContainerObserver)?
        /// Runs `criu check`; replaceable for tests of the planner's CRIU decisions.
        public var criuCheck: @Sendable () -> CriuStatus

        public init(
            state: StateStore, images: ImageStore, registry: RegistryClient? = nil,
            observer: (any ContainerObserver)? = nil, criuCheck: @escaping @Sendable () -> CriuStatus = { CriuCheck.run() }
        ) {
            self.state = state
            self.images = images
            self.registry = registry
            self.observer = observer
            self.criuCheck = criuCheck
        }
    }

    /// Looks at the world for planning `manifest` as `project`: each outside call made once, and only
    /// when the manifest needs it.
    public static func gather(for manifest: ProjectManifest, project: String, from sources: Sources) throws -> PlanInputs {
        let records = try sources.state.containers(project: project)
        var inputs = PlanInputs(project: project, stateRevision: try sources.state.revision())
        for record in records {
            inputs.observed[record.name] = sources.observer?.observe(record) ?? ObservedContainer(record: record)
        }
        if manifest.containers.contains(where: { inputs.observed[$0.name] == nil }) {
            inputs.runtimeIDs = sources.observer?.runtimeIDs() ?? []
        }
        inputs.hostDiagnostics = HostValidator.check(manifest)
        if !manifest.networks.isEmpty { try inputs.gatherNetworks(from: sources.state) }
        if !manifest.volumes.isEmpty { inputs.volumes = Set(try sources.state.volumes().map(\.name)) }
        for container in manifest.containers {
            guard container.checkpoint == nil, let reference = container.image, inputs.remote[reference] == nil,
                let registry = sources.registry, needsRegistry(container, reference: reference, images: sources.images)
            else { continue }
            do {
                inputs.remote[reference] = .image(try registry.resolve(reference, store: sources.images))
            } catch let error as any BerthError {
                inputs.remote[reference] = .failed(error.description)
            }
        }
        if manifest.containers.contains(where: { mayRestoreProcess($0, images: sources.images) }) {
            inputs.criu = sources.criuCheck()
        }
        return inputs
    }

    /// The network facts: every network and membership recorded, and the host's own routes.
    public mutating func gatherNetworks(from state: StateStore) throws {
        networks = try state.networks()
        attachments = try state.attachments()
        let table = (try? String(contentsOfFile: "/proc/net/route", encoding: .utf8)) ?? ""
        hostRoutes = Self.hostRoutes(fromRouteTable: table, excluding: Set(networks.map(\.bridge)))
    }

    /// The destinations of the kernel's IPv4 routing table (`/proc/net/route`: interface, destination and mask
    /// in little-endian hex), less the default route and routes through `excluding` (Berth's own bridges).
    static func hostRoutes(fromRouteTable table: String, excluding: Set<String>) -> [IPv4Subnet] {
        var routes: Set<IPv4Subnet> = []
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 8, !excluding.contains(String(fields[0])),
                let destination = UInt32(fields[1], radix: 16), let mask = UInt32(fields[7], radix: 16), mask != 0
            else { continue }
            let prefix = mask.nonzeroBitCount
            if let subnet = IPv4Subnet(network: IPv4Address(bits: destination.byteSwapped), prefixLength: prefix) { routes.insert(subnet) }
        }
        return routes.sorted()
    }

    /// Whether the pull policy asks the registry about `reference`: always for `always`, for `missing`
    /// when the store lacks it (and it is not a local-only `berth.local/` name), never for `never`.
    static func needsRegistry(_ container: ContainerDefinition, reference: String, images: ImageStore) -> Bool {
        switch container.pull {
        case .never: return false
        case .always: return true
        case .missing:
            guard (try? images.lookup(reference)) == nil else { return false }
            return !Planner.isLocalOnly(reference)
        }
    }

    static func mayRestoreProcess(_ container: ContainerDefinition, images: ImageStore) -> Bool {
        guard let reference = container.checkpoint, container.restore != .filesystem else { return false }
        if container.restore == .process { return true }
        return (try? CheckpointImage.load(reference: reference, store: images))?.hasProcessState ?? false
    }
}
