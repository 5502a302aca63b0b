import Diagnostics
import Manifest

/// Turns a validated manifest into Kubernetes objects (`berth export kubernetes`).
public enum KubernetesExporter {
    static let partOfLabel = "app.kubernetes.io/part-of"
    static let nameLabel = "app.kubernetes.io/name"
    static let reservedLabels: Set<String> = [partOfLabel, nameLabel]
    /// Labels whose keys Kubernetes rejects, kept as one JSON object.
    static let invalidLabelsAnnotation = "berth.dev/labels"

    /// A Namespace named after the project, a Service per Pod group with ports, then one workload per Pod
    /// group; the same manifest and options give the same bytes. Throws `DiagnosticsError` under `strict`
    /// when something is left out.
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
        UnsupportedFields.check(manifest.networks, warnings: &warnings)
        var services: [ExportedDocument] = []
        var workloads: [ExportedDocument] = []
        var serviceNames: [String: String] = [:]
        for group in PodGrouping.groups(of: exported) {
            let name = names[group.name] ?? group.name
            let serviceName = KubernetesNames.serviceName(from: name)
            var builder = PodBuilder(
                project: namespace, group: group, names: names, serviceName: serviceName,
                mapper: ContainerMapper(options: options, warnings: warnings))
            let object = try builder.workload(options.workload)
            warnings = builder.mapper.warnings
            let kind = options.workload.kind
            workloads.append(
                ExportedDocument(
                    fileName: "10-\(kind.lowercased())-\(name).yaml", kind: kind, name: name,
                    yaml: YAMLValue.map(object).emitted()))
            guard !builder.network.ports.isEmpty else { continue }
            let location = group.containers.first?.locations.container
            if let other = serviceNames[serviceName] {
                throw KubernetesExportError.nameCollision(other, group.name, as: serviceName, at: location)
            }
            serviceNames[serviceName] = group.name
            if serviceName != name {
                warnings.leftOut(
                    "the Service of \(name) is named \(serviceName) (Service names must start with a letter); "
                        + "other Pods reach it by that name", at: location)
            }
            let selector = [partOfLabel: namespace, nameLabel: name]
            let service = ServiceBuilder.service(
                name: serviceName, namespace: namespace, selector: selector, ports: builder.network.ports)
            services.append(
                ExportedDocument(
                    fileName: "05-service-\(serviceName).yaml", kind: "Service", name: serviceName,
                    yaml: YAMLValue.map(service).emitted()))
        }
        // Services before their workloads, as Kubernetes recommends (and as `-o DIR`'s file names sort).
        let documents = [namespaceDocument(namespace)] + services + workloads
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
