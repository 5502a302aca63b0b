import Foundation
import OCI

/// Prints a plan for people (text) or machines (JSON). Both are deterministic for the same plan.
public enum PlanRenderer {
    public static func json(_ plan: Plan) throws -> String {
        String(decoding: try CanonicalJSON.encodePretty(plan), as: UTF8.self)
    }

    public static func text(_ plan: Plan) -> String {
        var lines = ["project \(plan.project) (\(plan.manifest))"]
        for network in plan.networks {
            switch network.action {
            case .create:
                lines.append("+ network \(network.name): \(network.subnet), gateway \(network.gateway)\(network.isInternal ? ", internal" : "")")
            case .unchanged:
                lines.append("= network \(network.name): \(network.subnet)")
            case .external:
                lines.append("= network \(network.name): \(network.fullName) (external), \(network.subnet)")
            }
        }
        for build in plan.builds {
            lines.append("\(build.needed ? "~" : "=") build \(build.name): \(build.reason)")
        }
        for volume in plan.volumes {
            let prefill = volume.prefill.isEmpty ? "" : "; filled from the image at \(volume.prefill.joined(separator: ", ")) while empty"
            let device = volume.device.map { ", bound to \($0)" } ?? ""
            switch volume.action {
            case .create: lines.append("+ volume \(volume.name): \(volume.fullName)\(device)\(prefill)")
            case .unchanged: lines.append("= volume \(volume.name): \(volume.fullName)\(device)\(prefill)")
            case .external: lines.append("= volume \(volume.name): \(volume.fullName) (external)\(prefill)")
            }
        }
        for c in plan.containers {
            lines.append("\(c.action.symbol) \(c.name): \(c.reasons.joined(separator: "; "))")
            if let restore = c.restore {
                let what = restore.process ? "files and process state" : "files only; the process starts fresh"
                lines.append("    restore   \(restore.checkpoint) → \(restore.digest) (\(what); writable layer \(byteCount(restore.rwBytes)))")
                if !restore.overrides.isEmpty {
                    lines.append("    overrides \(restore.overrides.joined(separator: ", ")) (from the manifest, on top of the checkpointed spec)")
                }
            }
            if let pull = c.pull {
                lines.append("    image     \(pull.reference) → \(pull.digest) (to pull)")
                lines.append(
                    "    pull      \(pull.blobs) \(pull.blobs == 1 ? "blob" : "blobs"), \(byteCount(pull.bytes)); then unpack \(pull.layers) \(pull.layers == 1 ? "layer" : "layers") into \(c.snapshotterName)"
                )
            } else if let image = c.image {
                lines.append("    image     \(image.reference) → \(image.digest) (\(image.platform))")
            } else if let rootfs = c.definition.rootfs {
                lines.append("    rootfs    \(rootfs)")
            }
            if c.image != nil, c.pull == nil {
                if c.unpack.isEmpty {
                    lines.append("    unpack    none (already unpacked on \(c.snapshotterName))")
                } else {
                    let total = c.unpack.reduce(Int64(0)) { $0 + $1.size }
                    let noun = c.unpack.count == 1 ? "layer" : "layers"
                    lines.append("    unpack    \(c.unpack.count) \(noun), \(byteCount(total)) into \(c.snapshotterName)")
                    for layer in c.unpack {
                        lines.append("      layer \(layer.index) \(layer.digest) (\(byteCount(layer.size))) → chain \(layer.chainID.shortID)")
                    }
                }
                lines.append("    snapshot  \(c.snapshotKey) on \(c.snapshotterName)")
            }
            lines.append("    runtime   \(c.runtime)")
            let attachments = c.definition.attachments
            if !attachments.isEmpty {
                lines.append("    networks  \(attachments.map(\.network).joined(separator: ", "))")
            }
            if !c.definition.ports.isEmpty {
                lines.append("    ports     \(c.definition.ports.map(\.description).joined(separator: ", "))")
            }
        }
        for orphan in plan.orphans {
            lines.append("  \(orphan.name): orphan (\(orphan.status)), not in the manifest; kept")
        }
        let s = plan.summary
        var summary = "Plan: \(s.create) to create, \(s.replace) to replace"
        if s.start > 0 { summary += ", \(s.start) to start" }
        summary += ", \(s.unchanged) unchanged"
        if s.orphans > 0 { summary += ", \(s.orphans) orphaned" }
        if s.networksToCreate > 0 { summary += ", \(s.networksToCreate) \(s.networksToCreate == 1 ? "network" : "networks") to create" }
        if s.volumesToCreate > 0 { summary += ", \(s.volumesToCreate) \(s.volumesToCreate == 1 ? "volume" : "volumes") to create" }
        summary += "; \(s.layersToUnpack) \(s.layersToUnpack == 1 ? "layer" : "layers") to unpack."
        lines.append(summary)
        return lines.joined(separator: "\n") + "\n"
    }

    /// 1.2 MB style sizes (decimal units, one decimal place), as `docker images` prints them.
    public static func byteCount(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
