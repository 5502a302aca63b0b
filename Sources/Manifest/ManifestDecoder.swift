import Diagnostics
import Yams

/// Turns the YAML node tree into a `ManifestDescription`, reporting structural problems (unknown keys,
/// wrong types, duplicate keys). Value rules are the validator's job.
struct ManifestDecoder {
    var reader: YAMLReader

    init(file: String, variables: [String: String]) {
        reader = YAMLReader(file: file, variables: variables)
    }

    var diagnostics: [Diagnostic] { reader.diagnostics }

    mutating func decode(_ root: YAMLNode) -> ManifestDescription? {
        guard case .mapping(let mapping) = root else {
            reader.diagnostics.append(ManifestDiagnostics.rootNotMap(got: YAMLReader.describe(root), at: reader.location(root)))
            return nil
        }
        var description = ManifestDescription(root: reader.location(root))
        for (key, value) in reader.pairs(mapping) {
            description.keys.insert(key.value)
            switch key.value {
            case "version": description.version = reader.integer(value, field: "version")
            case "name": description.name = reader.string(value, field: "name")
            case "containers":
                description.containersLocation = reader.location(value)
                if let containers = reader.mapping(value, field: "containers", expected: "a map of container names to definitions") {
                    let entries = reader.pairs(containers)
                    description.containerEntries = entries.count
                    description.containers = entries.compactMap { decodeContainer(name: $0.key, $0.value) }
                }
            default:
                reportUnknown(key, in: "the manifest", valid: ManifestRules.topLevelKeys)
            }
        }
        return description
    }

    private mutating func reportUnknown(_ key: Located<String>, in context: String, valid: [String]) {
        guard !key.value.hasPrefix("x-") else { return }
        reader.diagnostics.append(ManifestDiagnostics.unknownKey(key.value, in: context, valid: valid, at: key.location))
    }

    private mutating func decodeContainer(name: Located<String>, _ node: YAMLNode) -> ContainerDescription? {
        guard let mapping = reader.mapping(node, field: "containers.\(name.value)", expected: "a map of container settings") else {
            return nil
        }
        var c = ContainerDescription(name: name)
        for (key, value) in reader.pairs(mapping) {
            c.fieldLocations[key.value] = reader.location(value)
            decodeField(key, value, into: &c)
        }
        return c
    }

    private mutating func decodeField(_ key: Located<String>, _ value: YAMLNode, into c: inout ContainerDescription) {
        let field = key.value
        switch field {
        case "image": c.image = reader.string(value, field: field)
        case "args": c.args = reader.stringList(value, field: field)
        case "cwd": c.cwd = reader.string(value, field: field)
        case "env": c.env = decodeEnv(value)
        case "env-files": c.envFiles = reader.stringList(value, field: field, allowSingle: true)
        case "mounts": c.mounts = decodeList(value, field: field, expected: "a list of mounts") { $0.decodeMount($1) }
        case "with-ns": c.withNamespaces = decodeList(value, field: field, expected: "a list of namespaces to join") { $0.decodeNamespace($1) }
        case "checkpoint": c.checkpoint = reader.string(value, field: field)
        case "readonly": c.readonly = reader.bool(value, field: field)
        case "tty": c.tty = reader.bool(value, field: field)
        case "net-host": c.netHost = reader.bool(value, field: field)
        case "labels": c.labels = decodeStringMap(value, field: field)
        case "user": c.user = reader.string(value, field: field, lenient: true)
        case "hostname": c.hostname = reader.string(value, field: field)
        case "privileged": c.privileged = reader.bool(value, field: field)
        case "memory-limit": c.memoryLimit = decodeMemory(value)
        case "cpus": c.cpus = reader.number(value, field: field)
        case "pids-limit": c.pidsLimit = reader.integer(value, field: field)
        case "runtime": c.runtime = reader.string(value, field: field)
        case "snapshotter": c.snapshotter = reader.string(value, field: field)
        case "pull": c.pull = reader.string(value, field: field)
        case "restore": c.restore = reader.string(value, field: field)
        case "rootfs": c.rootfs = reader.string(value, field: field)
        case "no-pivot": c.noPivot = reader.bool(value, field: field)
        case "config": c.config = reader.string(value, field: field)
        case "depends-on": c.dependsOn = reader.stringList(value, field: field)
        default:
            c.fieldLocations[field] = nil
            reportUnknown(key, in: "container `\(c.name.value)`", valid: ManifestRules.containerKeys)
        }
    }

    private mutating func decodeList<T>(
        _ node: YAMLNode, field: String, expected: String,
        _ item: (inout ManifestDecoder, YAMLNode) -> T?
    ) -> Located<[Located<T>]>? {
        guard let seq = reader.sequence(node, field: field, expected: expected) else { return nil }
        var items: [Located<T>] = []
        for element in seq.items {
            if let value = item(&self, element) { items.append(Located(value, at: reader.location(element))) }
        }
        return Located(items, at: reader.location(node))
    }

    private mutating func decodeStringMap(_ node: YAMLNode, field: String) -> Located<[(key: Located<String>, value: Located<String>)]>? {
        guard let mapping = reader.mapping(node, field: field, expected: "a map of strings") else { return nil }
        let pairs = reader.pairs(mapping).compactMap { pair -> (key: Located<String>, value: Located<String>)? in
            guard let value = reader.string(pair.value, field: "\(field).\(pair.key.value)", lenient: true) else { return nil }
            return (pair.key, value)
        }
        return Located(pairs, at: reader.location(node))
    }

    private mutating func decodeEnv(_ node: YAMLNode) -> Located<[EnvEntryDescription]>? {
        switch node {
        case .mapping:
            return decodeStringMap(node, field: "env").map { map in
                Located(map.value.map { EnvEntryDescription.pair(key: $0.key, value: $0.value) }, at: map.location)
            }
        case .sequence:
            return reader.stringList(node, field: "env").map { list in
                Located(list.value.map { EnvEntryDescription.line($0) }, at: list.location)
            }
        default:
            reader.diagnostics.append(
                ManifestDiagnostics.wrongType(
                    "env", expected: "a map or a list of \"K=V\" strings",
                    got: YAMLReader.describe(node), at: reader.location(node)))
            return nil
        }
    }

    private mutating func decodeMemory(_ node: YAMLNode) -> Located<MemoryLimitDescription>? {
        guard let s = reader.scalar(node, field: "memory-limit", expected: "bytes or a size such as 64m") else { return nil }
        switch s.kind {
        case .int:
            if let bytes = Int64(s.text) { return Located(.bytes(bytes), at: s.location) }
            return Located(.text(s.text), at: s.location)
        case .string, .float:
            return Located(.text(s.text), at: s.location)
        case .bool, .null:
            reader.diagnostics.append(
                ManifestDiagnostics.wrongType(
                    "memory-limit", expected: "bytes or a size such as 64m",
                    got: YAMLReader.describe(node), at: s.location))
            return nil
        }
    }

    private mutating func decodeMount(_ node: YAMLNode) -> MountDescription? {
        if case .scalar = node {
            return reader.string(node, field: "mounts").map { .line($0.value) }
        }
        guard let mapping = reader.mapping(node, field: "mounts", expected: "a mount map or a \"type=…,src=…,dst=…\" string") else {
            return nil
        }
        var type: Located<String>?, source: Located<String>?, destination: Located<String>?
        var options: [Located<String>]?
        for (key, value) in reader.pairs(mapping) {
            switch key.value {
            case "type": type = reader.string(value, field: "type")
            case "source": source = reader.string(value, field: "source")
            case "destination": destination = reader.string(value, field: "destination")
            case "options": options = reader.stringList(value, field: "options")?.value
            default: reportUnknown(key, in: "a mount", valid: ManifestRules.mountKeys)
            }
        }
        return .long(type: type, source: source, destination: destination, options: options)
    }

    private mutating func decodeNamespace(_ node: YAMLNode) -> NamespaceDescription? {
        if case .scalar = node {
            return reader.string(node, field: "with-ns").map { .line($0.value) }
        }
        guard let mapping = reader.mapping(node, field: "with-ns", expected: "a \"type:path\" string or a map") else {
            return nil
        }
        var type: Located<String>?, path: Located<String>?, container: Located<String>?
        for (key, value) in reader.pairs(mapping) {
            switch key.value {
            case "type": type = reader.string(value, field: "type")
            case "path": path = reader.string(value, field: "path")
            case "container": container = reader.string(value, field: "container")
            default: reportUnknown(key, in: "a `with-ns` entry", valid: ManifestRules.namespaceKeys)
            }
        }
        return .long(type: type, path: path, container: container)
    }
}
