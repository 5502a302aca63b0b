import BerthSystem
import Diagnostics

/// Turns a `ManifestDescription` into a `ProjectManifest`, checking every value rule and the references
/// between containers. Collects all problems; the caller throws them together.
struct ManifestValidator {
    let path: String
    let directory: String
    var diagnostics: [Diagnostic] = []
    /// The top-level `networks:` entries, for the containers' references to them.
    var declaredNetworks: [NetworkDescription] = []
    /// The top-level `volumes:` entries, for the containers' volume mounts.
    var declaredVolumes: [VolumeDescription] = []
    /// The validated top-level `secrets:` and `configs:`, for the containers' references.
    var declaredSecrets: [SecretDefinition] = []
    var declaredConfigs: [SecretDefinition] = []

    /// `$HOME`, for bind sources written `~` or `~/…` (as compose expands them).
    let home: String?

    init(path: String, directory: String, home: String? = nil) {
        self.path = path
        self.directory = directory
        self.home = home
    }

    mutating func validate(_ d: ManifestDescription) -> ProjectManifest {
        checkVersion(d)
        let name = projectName(d)
        if d.containersLocation == nil {
            diagnostics.append(ManifestDiagnostics.missingKey("containers", in: "the manifest", at: d.root))
        } else if d.containerEntries == 0, let loc = d.containersLocation {
            diagnostics.append(ManifestDiagnostics.noContainers(at: loc))
        }
        declaredNetworks = d.networks
        declaredVolumes = d.volumes
        declaredSecrets = validateSecrets(d.secrets, kind: .secret)
        declaredConfigs = validateSecrets(d.configs, kind: .config)
        var containers = d.containers.map { validateContainer($0) }
        // A built image the manifest does not name is named after the project and the container.
        for index in containers.indices where containers[index].build != nil && containers[index].image == nil {
            containers[index].image = BuildDefinition.defaultImage(project: name, container: containers[index].name)
        }
        checkReferences(d.containers)
        checkPortConflicts(d.containers, containers)
        var manifest = ProjectManifest(
            version: Int(d.version?.value ?? 1), name: name, path: path, directory: directory,
            containers: containers)
        manifest.networks = validateNetworks(d.networks, containers: containers)
        checkPublishedNetworks(manifest, d.containers)
        manifest.volumes = validateVolumes(d.volumes)
        manifest.secrets = declaredSecrets
        manifest.configs = declaredConfigs
        return manifest
    }

    private mutating func checkVersion(_ d: ManifestDescription) {
        guard let version = d.version else {
            if d.keys.contains("version") { return }
            diagnostics.append(ManifestDiagnostics.missingVersion(at: d.root))
            return
        }
        if !ManifestRules.supportedVersions.contains(Int(version.value)) {
            diagnostics.append(ManifestDiagnostics.unsupportedVersion(String(version.value), at: version.location))
        }
    }

    private mutating func projectName(_ d: ManifestDescription) -> String {
        if let name = d.name {
            if !Names.isValid(name.value, .project) {
                diagnostics.append(ManifestDiagnostics.invalidName(.project, name.value, at: name.location))
            }
            return name.value
        }
        let base = directory.split(separator: "/").last.map(String.init) ?? ""
        guard let derived = Names.normalizedProjectName(base) else {
            diagnostics.append(ManifestDiagnostics.underivableProjectName(directory, at: d.root))
            return "project"
        }
        return derived
    }

    // MARK: References between containers

    /// An edge of the start-order graph: `depends-on` or `with-ns {container:}`.
    private struct Edge {
        var to: String
        var field: String
        var location: SourceLocation
    }

    private mutating func checkReferences(_ containers: [ContainerDescription]) {
        let names = containers.map(\.name.value)
        let known = Set(names)
        var graph: [String: [Edge]] = [:]
        for c in containers {
            var edges: [Edge] = []
            for dep in c.dependsOn?.value ?? [] {
                edges.append(Edge(to: dep.value, field: "depends-on", location: dep.location))
            }
            for ns in c.withNamespaces?.value ?? [] {
                if case .long(_, _, let container?) = ns.value {
                    edges.append(Edge(to: container.value, field: "with-ns", location: container.location))
                }
            }
            for (field, mode) in [("ipc", c.kernel.ipc), ("pid", c.kernel.pid)] {
                if let mode, mode.value.hasPrefix("container:") {
                    edges.append(Edge(to: String(mode.value.dropFirst("container:".count)), field: field, location: mode.location))
                }
            }
            var seen: Set<String> = []
            for edge in edges {
                if edge.to == c.name.value {
                    diagnostics.append(ManifestDiagnostics.selfReference(edge.field, edge.to, at: edge.location))
                } else if !known.contains(edge.to) {
                    diagnostics.append(ManifestDiagnostics.unknownContainer(edge.field, edge.to, known: names, at: edge.location))
                } else if edge.field == "depends-on", !seen.insert(edge.to).inserted {
                    diagnostics.append(ManifestDiagnostics.duplicateEntry("depends-on", edge.to, at: edge.location))
                }
            }
            graph[c.name.value] = edges.filter { $0.to != c.name.value && known.contains($0.to) }
        }
        reportCycles(graph)
    }

    /// Depth-first search in name order; each cycle is reported once, rotated to start at its smallest name.
    private mutating func reportCycles(_ graph: [String: [Edge]]) {
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var stack: [String] = []
        var reported: Set<[String]> = []

        func visit(_ node: String, _ v: inout ManifestValidator) {
            state[node] = 1
            stack.append(node)
            for edge in graph[node] ?? [] {
                switch state[edge.to] {
                case 1:
                    guard let start = stack.firstIndex(of: edge.to) else { continue }
                    var cycle = Array(stack[start...])
                    if let minIndex = cycle.indices.min(by: { cycle[$0] < cycle[$1] }) {
                        cycle = Array(cycle[minIndex...] + cycle[..<minIndex])
                    }
                    guard reported.insert(cycle).inserted, let first = cycle.first else { continue }
                    let next = cycle.count > 1 ? cycle[1] : first
                    let loc = graph[first]?.first(where: { $0.to == next })?.location ?? edge.location
                    v.diagnostics.append(ManifestDiagnostics.dependencyCycle(cycle + [first], at: loc))
                case nil:
                    visit(edge.to, &v)
                default:
                    continue
                }
            }
            stack.removeLast()
            state[node] = 2
        }
        for node in graph.keys.sorted() where state[node] == nil {
            visit(node, &self)
        }
    }
}
