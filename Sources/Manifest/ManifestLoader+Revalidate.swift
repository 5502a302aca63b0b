import Diagnostics
import Foundation

extension ManifestLoader {
    /// Validates container definitions that come from outside the loader (a saved plan) by the same rules
    /// as a manifest: their canonical form is loaded as one manifest of project `project`, without `.env`
    /// or environment. Returns one message per problem (empty when they pass), each naming the container;
    /// a definition that passes but does not come back the same (a field edited past what the rules allow
    /// to be written) is a problem too.
    public static func revalidate(
        _ containers: [ContainerDefinition], networks: [NetworkDefinition] = [], volumes: [VolumeDefinition] = [], project: String
    ) -> [String] {
        var manifest = ProjectManifest(name: project, path: "plan", directory: "/", containers: containers)
        manifest.networks = networks
        manifest.volumes = volumes
        // The top-level entries the containers' secrets and configs come from (each mount carries its source).
        for kind in [SecretMount.Kind.secret, .config] {
            var seen: [String: SecretDefinition] = [:]
            for mount in containers.flatMap(\.secretMounts) where mount.kind == kind {
                seen[mount.name] = SecretDefinition(name: mount.name, source: mount.source)
            }
            let entries = seen.values.sorted { $0.name < $1.name }
            if kind == .secret { manifest.secrets = entries } else { manifest.configs = entries }
        }
        let text: String
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            text = String(decoding: try encoder.encode(try CanonicalManifest(manifest).escapingDollars()), as: UTF8.self)
        } catch {
            return ["cannot render the definitions: \(describeCause(error))"]
        }
        let loaded: ProjectManifest
        do {
            loaded = try load(text: text, path: "plan", directory: "/", environment: [:], readDotEnv: false)
        } catch let error as any BerthError {
            let diagnostics = error.diagnostics.isEmpty ? [.error(at: nil, error.message)] : error.diagnostics
            return diagnostics.filter { $0.severity == .error }.map(\.message)
        } catch {
            return ["\(error)"]
        }
        var problems: [String] = []
        if loaded.networks != NetworkDefinition.effective(declared: networks.filter(\.isDeclared), containers: containers)
            || networks.contains(where: { !$0.isDeclared })
        {
            problems.append("networks: the declarations are not ones the manifest rules produce")
        }
        if loaded.volumes != volumes.sorted(by: { $0.name < $1.name }) {
            problems.append("volumes: the declarations are not ones the manifest rules produce")
        }
        for container in containers {
            guard let again = loaded.container(named: container.name),
                (try? ManifestRenderer.canonicalJSON(of: again)) == (try? ManifestRenderer.canonicalJSON(of: container)),
                again.pull == container.pull
            else {
                problems.append("container \(container.name): the definition is not one the manifest rules produce")
                continue
            }
        }
        return problems
    }
}
