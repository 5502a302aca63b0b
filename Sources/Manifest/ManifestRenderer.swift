import Foundation
import OCI
import Yams

/// Renders the normalized manifest (interpolated, defaults filled in, env-files folded in, sorted keys).
/// The same manifest always gives the same bytes; the output is itself a valid berth.yaml
/// (so `$` in values is written `$$`; `canonicalJSON(of:)` keeps values as they are).
public enum ManifestRenderer {
    public enum Format: String, Sendable, CaseIterable {
        case yaml
        case json
    }

    /// The whole manifest in `format`; throws when an env-file cannot be read or parsed.
    public static func render(_ m: ProjectManifest, format: Format, foldEnvFiles: Bool = true) throws -> String {
        let canonical = try CanonicalManifest(m, foldEnvFiles: foldEnvFiles).escapingDollars()
        switch format {
        case .json:
            return String(decoding: try CanonicalJSON.encodePretty(canonical), as: UTF8.self)
        case .yaml:
            let yaml = YAMLEncoder()
            yaml.options.sortKeys = true
            yaml.options.indent = 2
            return try yaml.encode(canonical)
        }
    }

    /// Sorted-key compact JSON of one container's canonical form, for config hashes.
    public static func canonicalJSON(of container: ContainerDefinition) throws -> Data {
        var canonical = try CanonicalContainer(container)
        canonical.pull = nil
        return try CanonicalJSON.encode(canonical)
    }
}
