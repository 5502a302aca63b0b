import OCI
import Manifest

/// The fields Kubernetes has no place for: one warning each, at the field's location.
enum UnsupportedFields {
    /// Reports every such field of `c`; returns false when the container itself cannot be exported (no image).
    static func check(_ c: ContainerDefinition, warnings: inout ExportWarnings) -> Bool {
        let skipped = c.image == nil ? "; container \(c.name) has no image, so it is left out" : "; left out"
        if c.checkpoint != nil {
            warnings.leftOut(
                "`checkpoint` cannot be expressed in Kubernetes (Pods cannot restore a CRIU checkpoint)" + skipped,
                at: c.locations["checkpoint"])
        }
        if c.rootfs != nil {
            warnings.leftOut(
                "`rootfs` cannot be expressed in Kubernetes (a container's filesystem comes from an image)" + skipped,
                at: c.locations["rootfs"])
        }
        if c.config != nil {
            warnings.leftOut("`config` cannot be expressed in Kubernetes (no base OCI runtime spec); left out", at: c.locations["config"])
        }
        if c.noPivot {
            warnings.leftOut("`no-pivot` cannot be expressed in Kubernetes; left out", at: c.locations["no-pivot"])
        }
        if c.runtime != "runc" {
            warnings.leftOut(
                "`runtime` \(c.runtime) cannot be expressed in Kubernetes (the node's default runtime is used); left out",
                at: c.locations["runtime"])
        }
        if c.snapshotter != .overlayfs {
            warnings.leftOut(
                "`snapshotter` \(c.snapshotter) cannot be expressed in Kubernetes (the node chooses); left out",
                at: c.locations["snapshotter"])
        }
        if let pids = c.pidsLimit {
            warnings.leftOut(
                "`pids-limit` \(pids) cannot be expressed per container in Kubernetes (only per node); left out",
                at: c.locations["pids-limit"])
        }
        if !c.dependsOn.isEmpty {
            warnings.leftOut(
                "`depends-on` \(c.dependsOn.joined(separator: ", ")) cannot be expressed in Kubernetes "
                    + "(workloads start in no particular order); left out", at: c.locations["depends-on"])
        }
        for (i, join) in c.withNamespaces.enumerated() {
            let location = c.locations["with-ns[\(i)]"]
            switch join.target {
            case .path(let path):
                warnings.leftOut(
                    "`with-ns` \(join.type) namespace at host path \(path) cannot be expressed in Kubernetes; left out",
                    at: location)
            case .container(let target) where !PodGrouping.podNamespaces.contains(join.type):
                warnings.leftOut(
                    "`with-ns` \(join.type) namespace of container \(target) cannot be expressed in Kubernetes "
                        + "(a Pod's containers share only network, ipc, uts and pid); left out", at: location)
            case .container:
                break
            }
        }
        checkKernelOptions(c, warnings: &warnings)
        return c.image != nil
    }
}
