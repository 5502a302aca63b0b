import BerthSystem
import Diagnostics

/// Top-level `volumes:` and the containers' `type: volume` mounts.
extension ManifestValidator {
    mutating func validateVolumes(_ volumes: [VolumeDescription]) -> [VolumeDefinition] {
        volumes.compactMap { d in
            let name = d.name.value
            if !Names.isValid(name, .volume) {
                diagnostics.append(ManifestDiagnostics.invalidName(.volume, name, at: d.name.location))
                return nil
            }
            var volume = VolumeDefinition(name: name)
            volume.labels = Dictionary(d.labels.map { ($0.key.value, $0.value.value) }, uniquingKeysWith: { _, last in last })
            if let external = d.external {
                if !Names.isValid(external.value, .volume) {
                    diagnostics.append(ManifestDiagnostics.invalidName(.volume, external.value, at: external.location))
                } else if !d.driverOpts.isEmpty || !d.labels.isEmpty {
                    diagnostics.append(ManifestDiagnostics.externalVolumeWithSettings(name, at: external.location))
                } else {
                    volume.external = external.value
                }
            }
            if !d.driverOpts.isEmpty { volume.device = bindDevice(d) }
            return volume
        }.sorted { $0.name < $1.name }
    }

    /// The local driver's bind form, the only driver options Berth carries out.
    private mutating func bindDevice(_ d: VolumeDescription) -> String? {
        let options = Dictionary(d.driverOpts.map { ($0.key.value, $0.value) }, uniquingKeysWith: { _, last in last })
        guard options["type"]?.value == "none", options["o"]?.value == "bind", let device = options["device"], options.count == 3,
            !device.value.isEmpty
        else {
            diagnostics.append(ManifestDiagnostics.unsupportedDriverOpts(d.name.value, at: d.driverOpts.first?.key.location ?? d.name.location))
            return nil
        }
        return ValueRules.absolute(device.value, in: directory)
    }

    /// A `type: volume` mount: its source names a declared volume; `subpath` stays inside the volume.
    mutating func checkVolumeMount(source: Located<String>?, subpath: Located<String>?, at loc: SourceLocation) -> Bool {
        guard let source, !source.value.isEmpty else {
            diagnostics.append(ManifestDiagnostics.volumeWithoutSource(at: loc))
            return false
        }
        let known = declaredVolumes.map(\.name.value)
        guard known.contains(source.value) else {
            diagnostics.append(ManifestDiagnostics.unknownVolume(source.value, known: known, at: source.location))
            return false
        }
        if let subpath {
            let parts = subpath.value.split(separator: "/", omittingEmptySubsequences: false)
            if subpath.value.isEmpty || subpath.value.hasPrefix("/") || parts.contains("..") || parts.contains("") && subpath.value != "" {
                diagnostics.append(ManifestDiagnostics.invalidSubpath(subpath.value, at: subpath.location))
                return false
            }
        }
        return true
    }
}
