import Diagnostics
import Manifest

/// Turns a validated manifest into Kubernetes objects (`berth export kubernetes`).
public enum KubernetesExporter {
    static let partOfLabel = "app.kubernetes.io/part-of"
    static let nameLabel = "app.kubernetes.io/name"
    static let reservedLabels: Set<String> = [partOfLabel, nameLabel]
    /// Labels whose keys Kubernetes rejects, kept as one JSON object.
    static let invalidLabelsAnnotation = "berth.dev/labels"

    /// A Namespace named after the project, then one workload per Pod group; the same manifest and
    /// options give the same bytes. Throws `DiagnosticsError` under `strict` when something is left out.
    public static func export(_ manifest: ProjectManifest, options: ExportOptions = ExportOptions()) throws -> ExportResult {
        var warnings = ExportWarnings()
        let namespace = KubernetesNames.label(from: manifest.name)
        if namespace != manifest.name {
            warnings.leftOut(
                "project name \(manifest.name) is not a valid Kubernetes namespace name; exported as \(namespace)",
                at: nil)
        }
        var exported: [ContainerDefinition] = []
        var names: [String: String] = [:]
        for container in manifest.containers where UnsupportedFields.check(container, warnings: &warnings) {
            let name = KubernetesNames.label(from: container.name)
            if let other = names.first(where: { $0.value == name })?.key {
                throw KubernetesExportError.nameCollision(other, container.name, as: name, at: container.locations.container)
            }
            if name != container.name {
                warnings.leftOut(
                    "container name \(container.name) is not a valid Kubernetes name (RFC 1123 label); exported as \(name)",
                    at: container.locations.container)
            }
            names[container.name] = name
            exported.append(container)
        }
        var documents = [namespaceDocument(namespace)]
        for group in PodGrouping.groups(of: exported) {
            var builder = PodBuilder(
                project: namespace, group: group, names: names,
                mapper: ContainerMapper(options: options, warnings: warnings))
            let object = try builder.workload(options.workload)
            warnings = builder.mapper.warnings
            let name = names[group.name] ?? group.name
            let kind = options.workload.kind
            documents.append(
                ExportedDocument(
                    fileName: "10-\(kind.lowercased())-\(name).yaml", kind: kind, name: name,
                    yaml: YAMLValue.map(object).emitted()))
        }
        if options.strict, !warnings.lossy.isEmpty {
            throw DiagnosticsError(warnings.strictDiagnostics, category: .manifest)
        }
        return ExportResult(documents: documents, warnings: warnings.all)
    }

    private static func namespaceDocument(_ name: String) -> ExportedDocument {
        let object: [String: YAMLValue] = [
            "apiVersion": .string("v1"),
            "kind": .string("Namespace"),
            "metadata": .map([
                "name": .string(name),
                "labels": .map([partOfLabel: .string(name), nameLabel: .string(name)]),
            ]),
        ]
        return ExportedDocument(
            fileName: "00-namespace-\(name).yaml", kind: "Namespace", name: name,
            yaml: YAMLValue.map(object).emitted())
    }
}

extension ExportOptions.Workload {
    var kind: String {
        switch self {
        case .pod: "Pod"
        case .deployment: "Deployment"
        case .job: "Job"
        }
    }
}
