import BerthSystem
import Diagnostics
import Manifest

/// A named volume the plan needs: made by this apply (`create`), there already (`unchanged`), or another
/// project's (`external`), with the mounts that are filled from their image's directory while it is empty.
public struct PlannedVolume: Codable, Hashable, Sendable {
    public enum Action: String, Codable, Hashable, Sendable {
        case create
        case unchanged
        case external
    }

    /// The manifest's name.
    public var name: String
    /// The name under the state root (`<project>_<name>`, or the external volume's).
    public var fullName: String
    public var action: Action
    public var labels: [String: String]
    /// A bind-form volume's host directory.
    public var device: String?
    /// `container:/path` of each container this apply makes that mounts the volume's root: the image's
    /// content there is copied in when the volume is empty (docker's behaviour).
    public var prefill: [String]

    public init(
        name: String, fullName: String, action: Action, labels: [String: String] = [:], device: String? = nil, prefill: [String] = []
    ) {
        self.name = name
        self.fullName = fullName
        self.action = action
        self.labels = labels
        self.device = device
        self.prefill = prefill
    }
}

extension Planner {
    /// The manifest's volumes against those recorded: own ones are created when missing; an external one
    /// must exist (another project's apply made it).
    func planVolumes(
        _ manifest: ProjectManifest, project: String, existing: Set<String>, containers: [PlannedContainer], diagnostics: inout [Diagnostic]
    ) -> [PlannedVolume] {
        manifest.volumes.map { volume in
            let fullName = volume.fullName(project: project)
            // Checked here, where the project is final (`-p` may rename it): the full name becomes a directory.
            if !Names.isValid(fullName, .volume) {
                diagnostics.append(
                    .error(
                        at: nil,
                        "volume \(volume.name) of project \(project) would be named \(Names.quoted(fullName)), which is not a valid volume name (\(NameKind.volume.ruleInWords)); shorten the project or the volume name"
                    ))
            }
            var action: PlannedVolume.Action = existing.contains(fullName) ? .unchanged : .create
            if volume.external != nil {
                action = .external
                if !existing.contains(fullName) {
                    diagnostics.append(
                        .error(
                            at: nil,
                            "external volume \(fullName) (`volumes: \(volume.name)`) does not exist; apply the project that declares it first (`berth volume ls` lists the volumes)"
                        ))
                }
            }
            let prefill = containers.filter { $0.action != .unchanged }.flatMap { c in
                c.definition.mounts.filter { $0.type == MountDefinition.volumeType && $0.source == volume.name && $0.subpath == nil }
                    .map { "\(c.name):\($0.destination)" }
            }
            return PlannedVolume(
                name: volume.name, fullName: fullName, action: action, labels: volume.labels, device: volume.device, prefill: prefill)
        }
    }
}
