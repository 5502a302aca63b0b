import Diagnostics

extension ManifestValidator {
    /// `build:`: the context made absolute (the manifest's directory when only an inline Dockerfile is given),
    /// the host's platform only.
    mutating func build(_ located: Located<BuildDescription>) -> BuildDefinition? {
        let d = located.value
        guard d.context != nil || d.dockerfileInline != nil else {
            diagnostics.append(ManifestDiagnostics.buildWithoutContext(at: located.location))
            return nil
        }
        if let context = d.context, context.value.isEmpty {
            diagnostics.append(ManifestDiagnostics.emptyValue("context", at: context.location))
            return nil
        }
        for platform in d.platforms where !ManifestRules.hostPlatforms.contains(platform.value) {
            diagnostics.append(ManifestDiagnostics.buildPlatform(platform.value, at: platform.location))
        }
        return BuildDefinition(
            context: ValueRules.absolute(d.context?.value ?? ".", in: directory), dockerfile: d.dockerfile?.value,
            dockerfileInline: d.dockerfileInline?.value,
            args: Dictionary(d.args.map { ($0.key.value, $0.value.value) }, uniquingKeysWith: { _, last in last }),
            target: d.target?.value,
            labels: Dictionary(d.labels.map { ($0.key.value, $0.value.value) }, uniquingKeysWith: { _, last in last }),
            noCache: d.noCache?.value ?? false, pull: d.pull?.value ?? false)
    }
}
