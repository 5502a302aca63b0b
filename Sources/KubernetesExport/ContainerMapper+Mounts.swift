import Manifest
import OCI

extension ContainerMapper {
    /// Bind mounts as `hostPath` volumes, tmpfs as memory-backed `emptyDir`; other types are reported.
    mutating func mounts(of c: ContainerDefinition) -> (mounts: [YAMLValue], volumes: [YAMLValue]) {
        var mounts: [YAMLValue] = []
        var volumes: [YAMLValue] = []
        for (i, mount) in c.mounts.enumerated() {
            let location = c.locations["mounts[\(i)]"]
            let isBind = mount.type == "bind" || mount.options.contains("bind") || mount.options.contains("rbind")
            var source: [String: YAMLValue]
            var understood: Set<String> = ["ro", "rw"]
            let kind: String
            if isBind, let path = mount.source {
                kind = "bind"
                source = ["hostPath": .map(["path": .string(path)])]
                understood.formUnion(["bind", "rbind"])
                warnings.note(
                    "bind mount of \(path) becomes a hostPath volume, which ties the Pod to a node that has this path",
                    at: location)
            } else if mount.type == "tmpfs" {
                kind = "tmpfs"
                var emptyDir: [String: YAMLValue] = ["medium": .string("Memory")]
                if let size = mount.options.last(where: { $0.hasPrefix("size=") }) {
                    let value = String(size.dropFirst("size=".count))
                    if let bytes = Quantity.tmpfsSize(value) {
                        emptyDir["sizeLimit"] = .string(Quantity.bytes(bytes))
                        understood.insert(size)
                    }
                }
                // A memory-backed emptyDir is a fresh tmpfs, whose root is mode 1777 already.
                understood.formUnion(["mode=1777", "mode=01777"])
                source = ["emptyDir": .map(emptyDir)]
            } else {
                warnings.leftOut(
                    "mount of type \(mount.type) at \(mount.destination) cannot be expressed in Kubernetes "
                        + "(only bind and tmpfs mounts map to volumes); left out", at: location)
                continue
            }
            let ignored = mount.options.filter { !understood.contains($0) }
            if !ignored.isEmpty {
                warnings.leftOut(
                    "\(kind) mount options \(ignored.joined(separator: ", ")) at \(mount.destination) "
                        + "cannot be expressed in Kubernetes; left out", at: location)
            }
            let name = "\(kind)-\(volumeCount)"
            volumeCount += 1
            source["name"] = .string(name)
            volumes.append(.map(source))
            var volumeMount: [String: YAMLValue] = ["name": .string(name), "mountPath": .string(mount.destination)]
            if mount.options.contains("ro") { volumeMount["readOnly"] = .bool(true) }
            mounts.append(.map(volumeMount))
        }
        return (mounts, volumes)
    }

    /// Labels Kubernetes accepts stay labels; the others become annotations (under `berth.dev/labels`
    /// as JSON when even the key is invalid), each with a warning.
    mutating func labels(of c: ContainerDefinition) -> (labels: [String: String], annotations: [String: String]) {
        var labels: [String: String] = [:]
        var annotations: [String: String] = [:]
        var invalidKeys: [String: String] = [:]
        let location = c.locations["labels"]
        for key in c.labels.keys.sorted() {
            let value = c.labels[key] ?? ""
            if KubernetesExporter.reservedLabels.contains(key) {
                warnings.leftOut("label \(key) is set by the export; the manifest's value \"\(value)\" is left out", at: location)
            } else if !KubernetesNames.isQualifiedName(key) {
                invalidKeys[key] = value
                warnings.leftOut(
                    "label key \"\(key)\" is not a valid Kubernetes label key; kept in annotation "
                        + "\(KubernetesExporter.invalidLabelsAnnotation)", at: location)
            } else if !KubernetesNames.isLabelValue(value) {
                annotations[key] = value
                warnings.leftOut(
                    "label \(key) has a value Kubernetes rejects in labels (at most 63 characters, "
                        + "alphanumeric at both ends, -_. inside); exported as an annotation", at: location)
            } else {
                labels[key] = value
            }
        }
        if !invalidKeys.isEmpty {
            annotations[KubernetesExporter.invalidLabelsAnnotation] = Self.jsonObject(invalidKeys)
        }
        return (labels, annotations)
    }

    /// A flat string map as sorted-key JSON.
    static func jsonObject(_ map: [String: String]) -> String {
        (try? CanonicalJSON.encode(map)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
