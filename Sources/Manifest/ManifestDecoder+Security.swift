import Diagnostics
import Yams

/// The security and kernel options of a container: seccomp, capabilities, sysctls, ulimits, devices, IPC and
/// PID namespaces. Shapes only; the validator checks the values.
extension ManifestDecoder {
    mutating func decodeKernelOption(_ field: String, _ value: YAMLNode, into k: inout KernelOptionsDescription) {
        switch field {
        case "seccomp": k.seccomp = reader.string(value, field: field)
        case "no-new-privileges": k.noNewPrivileges = reader.bool(value, field: field)
        case "cap-add": k.capAdd = reader.stringList(value, field: field, allowSingle: true)
        case "cap-drop": k.capDrop = reader.stringList(value, field: field, allowSingle: true)
        case "security-opt": k.securityOpt = reader.stringList(value, field: field, allowSingle: true)
        case "read-only": k.readOnlyAlias = reader.bool(value, field: field)
        case "sysctls": k.sysctls = decodeKeyValues(value, field: field)
        case "ulimits": k.ulimits = decodeUlimits(value)
        case "devices": k.devices = reader.stringList(value, field: field, allowSingle: true)
        case "shm-size": k.shmSize = reader.string(value, field: field, lenient: true)
        case "tmpfs": k.tmpfs = reader.stringList(value, field: field, allowSingle: true)
        case "group-add": k.groupAdd = reader.stringList(value, field: field, allowSingle: true)
        case "oom-score-adj": k.oomScoreAdj = reader.integer(value, field: field)
        case "ipc": k.ipc = reader.string(value, field: field)
        case "pid": k.pid = reader.string(value, field: field)
        case "platform": k.platform = reader.string(value, field: field)
        default: break
        }
    }

    /// `{K: V}` or `["K=V"]`; a list entry without `=` keeps its text as the key and no value.
    private mutating func decodeKeyValues(_ node: YAMLNode, field: String) -> [(key: Located<String>, value: Located<String>?)] {
        if case .sequence = node {
            return (reader.stringList(node, field: field)?.value ?? []).map { line in
                guard let eq = line.value.firstIndex(of: "=") else { return (line, nil) }
                return (
                    Located(String(line.value[..<eq]), at: line.location),
                    Located(String(line.value[line.value.index(after: eq)...]), at: line.location)
                )
            }
        }
        guard let mapping = reader.mapping(node, field: field, expected: "a map or a list of \"K=V\" strings") else { return [] }
        return reader.pairs(mapping).map { pair in
            (pair.key, reader.string(pair.value, field: "\(field).\(pair.key.value)", lenient: true))
        }
    }

    /// `ulimits: {nofile: 1024}` or `{nofile: {soft: 1024, hard: 2048}}`.
    private mutating func decodeUlimits(_ node: YAMLNode) -> [UlimitDescription] {
        guard let mapping = reader.mapping(node, field: "ulimits", expected: "a map of limit names to a number or {soft, hard}") else {
            return []
        }
        var limits: [UlimitDescription] = []
        for (key, value) in reader.pairs(mapping) {
            var limit = UlimitDescription(name: key)
            if case .mapping(let settings) = value {
                for (setting, item) in reader.pairs(settings) {
                    switch setting.value {
                    case "soft": limit.soft = reader.integer(item, field: "ulimits.\(key.value).soft")
                    case "hard": limit.hard = reader.integer(item, field: "ulimits.\(key.value).hard")
                    default:
                        reader.diagnostics.append(
                            ManifestDiagnostics.unknownKey(setting.value, in: "ulimit `\(key.value)`", valid: ["soft", "hard"], at: setting.location))
                    }
                }
                if limit.soft == nil || limit.hard == nil {
                    reader.diagnostics.append(ManifestDiagnostics.ulimitIncomplete(key.value, at: reader.location(value)))
                    continue
                }
            } else {
                guard let number = reader.integer(value, field: "ulimits.\(key.value)") else { continue }
                limit.soft = number
                limit.hard = number
            }
            limits.append(limit)
        }
        return limits
    }
}
