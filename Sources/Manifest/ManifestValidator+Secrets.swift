import BerthSystem
import Diagnostics

/// Top-level `secrets:`/`configs:` and the containers' references to them.
extension ManifestValidator {
    mutating func validateSecrets(_ entries: [SecretDescription], kind: SecretMount.Kind) -> [SecretDefinition] {
        entries.compactMap { d in
            guard Names.isValid(d.name.value, .secret) else {
                diagnostics.append(ManifestDiagnostics.invalidName(.secret, d.name.value, at: d.name.location))
                return nil
            }
            let sources = [d.file, d.environment, d.content].compactMap { $0 }
            guard sources.count == 1 else {
                diagnostics.append(
                    ManifestDiagnostics.secretSource(kind.rawValue, d.name.value, at: sources.dropFirst().first?.location ?? d.name.location))
                return nil
            }
            if let file = d.file {
                guard !file.value.isEmpty else {
                    diagnostics.append(ManifestDiagnostics.emptyValue("file", at: file.location))
                    return nil
                }
                return SecretDefinition(name: d.name.value, source: .file(ValueRules.absolute(file.value, in: directory)))
            }
            if let variable = d.environment {
                guard !variable.value.isEmpty, !variable.value.contains("=") else {
                    diagnostics.append(ManifestDiagnostics.emptyValue("environment", at: variable.location))
                    return nil
                }
                return SecretDefinition(name: d.name.value, source: .environment(variable.value))
            }
            return d.content.map { SecretDefinition(name: d.name.value, source: .content($0.value)) }
        }.sorted { $0.name < $1.name }
    }

    mutating func secretMounts(_ references: Located<[Located<SecretReferenceDescription>]>?, kind: SecretMount.Kind) -> [SecretMount] {
        let declared = kind == .secret ? declaredSecrets : declaredConfigs
        var targets: Set<String> = []
        return (references?.value ?? []).compactMap { item in
            let r = item.value
            guard let definition = declared.first(where: { $0.name == r.source.value }) else {
                diagnostics.append(
                    ManifestDiagnostics.unknownSecret(kind.rawValue, r.source.value, known: declared.map(\.name), at: r.source.location))
                return nil
            }
            var mount = SecretMount(
                kind: kind, name: definition.name, source: definition.source,
                target: SecretMount.defaultTarget(kind: kind, name: definition.name), mode: SecretMount.defaultMode(kind))
            if let target = r.target {
                let value = target.value
                let parts = value.split(separator: "/", omittingEmptySubsequences: false)
                guard !value.isEmpty, !parts.contains(".."), !value.hasSuffix("/"), value != "/" else {
                    diagnostics.append(ManifestDiagnostics.invalidSecretTarget(value, at: target.location))
                    return nil
                }
                mount.target = value.hasPrefix("/") ? ValueRules.clean(value) : ValueRules.clean((kind == .secret ? "/run/secrets/" : "/") + value)
            }
            if !targets.insert(mount.target).inserted {
                diagnostics.append(ManifestDiagnostics.duplicateTarget(mount.target, at: item.location))
            }
            for (field, value, keyPath) in [("uid", r.uid, \SecretMount.uid), ("gid", r.gid, \SecretMount.gid)] {
                guard let value else { continue }
                guard let number = UInt32(value.value), number < UInt32.max else {
                    diagnostics.append(ManifestDiagnostics.invalidOwner(field, value.value, at: value.location))
                    continue
                }
                mount[keyPath: keyPath] = number
            }
            if let mode = r.mode {
                if let bits = Self.mode(mode.value) {
                    mount.mode = bits
                } else {
                    diagnostics.append(ManifestDiagnostics.invalidMode(mode.value, at: mode.location))
                }
            }
            return mount
        }
    }

    /// `0440`, `0o440` (octal), `288` (decimal, as a YAML 1.1 reader of 0440 gives it); at most 0777.
    static func mode(_ text: String) -> UInt32? {
        var digits = Substring(text)
        var radix: UInt32 = 10
        if digits.hasPrefix("0o") || digits.hasPrefix("0O") {
            digits = digits.dropFirst(2)
            radix = 8
        } else if digits.hasPrefix("0"), digits.count > 1 {
            radix = 8
        }
        guard let value = UInt32(digits, radix: Int(radix)), value <= 0o777 else { return nil }
        return value
    }
}
