/// Several compose files (`-f a.yaml -f b.yaml`) merged as the Compose Specification says: maps merged key by
/// key (the later file wins for a scalar); `command`, `entrypoint` and a health check's `test` replaced;
/// `environment`, `labels`, `extra_hosts`, `sysctls` merged by key whether written as maps or lists; `ports`,
/// `volumes`, `secrets`, `configs` merged by what they mount or publish (the later entry wins); other lists
/// appended without repeats. Every node keeps the file it came from, for diagnostics.
enum ComposeMerge {
    static let replaced: Set<String> = ["command", "entrypoint", "test"]
    static let byKey: Set<String> = ["environment", "labels", "extra_hosts", "sysctls", "annotations"]
    static let byTarget: Set<String> = ["ports", "volumes", "secrets", "configs"]

    static func merge(_ base: YAMLNode, _ override: YAMLNode, key: String? = nil) -> YAMLNode {
        if let key, replaced.contains(key) { return override }
        if let key, byKey.contains(key), let merged = mergeByKey(base, override) { return merged }
        switch (base, override) {
        case (.mapping(var a), .mapping(let b)):
            for pair in b.pairs {
                let name = ComposeTranslator.key(pair)
                if let index = a.pairs.firstIndex(where: { ComposeTranslator.key($0) == name && name != nil }) {
                    a.pairs[index] = YAMLPair(key: a.pairs[index].key, value: merge(a.pairs[index].value, pair.value, key: name))
                } else {
                    a.pairs.append(pair)
                }
            }
            return .mapping(a)
        case (.sequence(var a), .sequence(let b)):
            if let key, byTarget.contains(key) {
                for item in b.items {
                    let identity = target(item, key: key)
                    a.items.removeAll { identity != nil && target($0, key: key) == identity }
                    a.items.append(item)
                }
            } else {
                for item in b.items where !a.items.contains(where: { identical($0, item) }) { a.items.append(item) }
            }
            return .sequence(a)
        default:
            return override
        }
    }

    /// Both as maps (a list `K=V` is read as one); nil when either is neither.
    private static func mergeByKey(_ base: YAMLNode, _ override: YAMLNode) -> YAMLNode? {
        guard let a = asMapping(base), let b = asMapping(override) else { return nil }
        return merge(.mapping(a), .mapping(b))
    }

    private static func asMapping(_ node: YAMLNode) -> YAMLMapping? {
        switch node {
        case .mapping(let mapping): return mapping
        case .sequence(let sequence):
            var pairs: [YAMLPair] = []
            for item in sequence.items {
                guard case .scalar(let scalar) = item else { return nil }
                let parts = scalar.string.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                var key = scalar
                key.string = String(parts[0])
                var value = scalar
                value.string = parts.count > 1 ? String(parts[1]) : ""
                value.plain = false
                pairs.append(YAMLPair(key: .scalar(key), value: .scalar(value)))
            }
            return YAMLMapping(pairs: pairs, line: sequence.line, column: sequence.column, file: sequence.file)
        case .scalar: return nil
        }
    }

    /// What a `ports`/`volumes`/`secrets`/`configs` entry publishes or mounts.
    static func target(_ node: YAMLNode, key: String) -> String? {
        switch node {
        case .scalar(let scalar):
            let text = scalar.string
            switch key {
            case "volumes":
                let parts = text.split(separator: ":")
                return parts.count >= 2 ? String(parts[1]) : text
            default: return text
            }
        case .mapping(let mapping):
            func value(_ name: String) -> String? {
                mapping.pairs.first { ComposeTranslator.key($0) == name }.flatMap { ComposeTranslator.text($0.value) }
            }
            switch key {
            case "volumes": return value("target")
            case "ports": return [value("host_ip"), value("published"), value("target"), value("protocol")].map { $0 ?? "" }.joined(separator: "|")
            default: return value("target") ?? value("source")
            }
        case .sequence: return nil
        }
    }

    private static func identical(_ a: YAMLNode, _ b: YAMLNode) -> Bool {
        if case .scalar(let x) = a, case .scalar(let y) = b { return x.string == y.string }
        return false
    }
}
