import Manifest

/// Builds one Pod group's workload object: its containers, Pod-level settings, labels and annotations.
struct PodBuilder {
    let project: String
    let group: PodGroup
    /// Manifest container name → Kubernetes name.
    let names: [String: String]
    /// The name of the Service the Pod gets when it has ports (see `ServiceBuilder`).
    let serviceName: String
    var mapper: ContainerMapper
    /// Ports, DNS and host aliases gathered from the Pod's containers.
    var network = PodNetwork()

    mutating func workload(_ workload: ExportOptions.Workload) throws -> [String: YAMLValue] {
        let podName = names[group.name] ?? group.name
        var containers: [YAMLValue] = []
        var volumes: [YAMLValue] = []
        var hostNetwork = false
        var hostname: (value: String, container: String)?
        var labels = [KubernetesExporter.partOfLabel: project, KubernetesExporter.nameLabel: podName]
        var annotations: [String: String] = [:]
        for container in group.containers {
            let mapped = try mapper.map(container, name: names[container.name] ?? container.name)
            var containerSpec = mapped.spec
            let ports = containerPorts(of: container, pod: podName)
            if !ports.isEmpty { containerSpec["ports"] = .list(ports) }
            nameResolution(of: container, pod: podName)
            containers.append(.map(containerSpec))
            volumes += mapped.volumes
            hostNetwork = hostNetwork || mapped.hostNetwork
            if let value = mapped.hostname {
                if let existing = hostname, existing.value != value {
                    mapper.warnings.leftOut(
                        "hostname \(value) differs from \(existing.value) of container \(existing.container), "
                            + "which shares Pod \(podName) (one hostname per Pod); left out",
                        at: container.locations["hostname"])
                } else {
                    hostname = (value, container.name)
                }
            }
            merge(mapped.labels, into: &labels, what: "label", container: container, pod: podName)
            merge(mapped.annotations, into: &annotations, what: "annotation", container: container, pod: podName)
        }
        let service = network.ports.isEmpty ? nil : serviceName
        for container in group.containers { networkWarnings(of: container, service: service) }
        var spec: [String: YAMLValue] = network.specFields
        spec["containers"] = .list(containers)
        if !volumes.isEmpty { spec["volumes"] = .list(volumes) }
        if hostNetwork { spec["hostNetwork"] = .bool(true) }
        if let hostname { spec["hostname"] = .string(hostname.value) }
        if group.sharesProcessNamespace { spec["shareProcessNamespace"] = .bool(true) }
        if workload != .deployment { spec["restartPolicy"] = .string("Never") }

        var metadata: [String: YAMLValue] = ["labels": Self.stringMap(labels)]
        if !annotations.isEmpty { metadata["annotations"] = Self.stringMap(annotations) }
        var object: [String: YAMLValue] = ["kind": .string(workload.kind)]
        object["metadata"] = .map(metadata.merging(["name": .string(podName), "namespace": .string(project)]) { $1 })
        let template: YAMLValue = .map(["metadata": .map(metadata), "spec": .map(spec)])
        switch workload {
        case .pod:
            object["apiVersion"] = .string("v1")
            object["spec"] = .map(spec)
        case .deployment:
            object["apiVersion"] = .string("apps/v1")
            let selector = [KubernetesExporter.partOfLabel: project, KubernetesExporter.nameLabel: podName]
            object["spec"] = .map([
                "replicas": .int(1), "selector": .map(["matchLabels": Self.stringMap(selector)]),
                "template": template,
            ])
        case .job:
            object["apiVersion"] = .string("batch/v1")
            object["spec"] = .map(["backoffLimit": .int(0), "template": template])
        }
        return object
    }

    /// Adds `entries`; a key another container of the Pod already set differently keeps the first value.
    private mutating func merge(
        _ entries: [String: String], into target: inout [String: String], what: String,
        container: ContainerDefinition, pod: String
    ) {
        for key in entries.keys.sorted() {
            let value = entries[key] ?? ""
            if let existing = target[key], existing != value {
                mapper.warnings.leftOut(
                    "\(what) \(key)=\(value) conflicts with \(key)=\(existing) of another container "
                        + "in Pod \(pod) (labels are per Pod); left out", at: container.locations["labels"])
            } else {
                target[key] = value
            }
        }
    }

    static func stringMap(_ map: [String: String]) -> YAMLValue {
        .map(map.mapValues { .string($0) })
    }
}
