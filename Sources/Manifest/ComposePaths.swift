/// Relative host paths of a compose file read through `include` or `extends` made absolute against that
/// file's own directory, as compose reads them: build contexts, env files, bind sources of volumes, and the
/// files of secrets and configs. (Files merged with several `-f` keep the first file's directory, as in compose.)
enum ComposePaths {
    static func absolutize(_ root: YAMLNode, directory: String) -> YAMLNode {
        guard case .mapping(var top) = root else { return root }
        for index in top.pairs.indices {
            switch ComposeTranslator.key(top.pairs[index]) {
            case "services":
                top.pairs[index].value = eachValue(top.pairs[index].value) { service($0, directory) }
            case "secrets", "configs":
                top.pairs[index].value = eachValue(top.pairs[index].value) { setting($0, "file", directory) }
            default: continue
            }
        }
        return .mapping(top)
    }

    private static func service(_ node: YAMLNode, _ directory: String) -> YAMLNode {
        guard case .mapping(var mapping) = node else { return node }
        for index in mapping.pairs.indices {
            let value = mapping.pairs[index].value
            switch ComposeTranslator.key(mapping.pairs[index]) {
            case "build":
                mapping.pairs[index].value = value.isScalar ? absolute(value, directory) : setting(value, "context", directory)
            case "env_file":
                mapping.pairs[index].value = eachItem(value) { $0.isScalar ? absolute($0, directory) : setting($0, "path", directory) }
            case "volumes":
                mapping.pairs[index].value = eachItem(value) { volume($0, directory) }
            default: continue
            }
        }
        return .mapping(mapping)
    }

    /// `./src:/dst[:ro]` with its source made absolute; the long form's bind `source` too.
    private static func volume(_ node: YAMLNode, _ directory: String) -> YAMLNode {
        if case .scalar(var scalar) = node {
            guard scalar.string.hasPrefix(".") else { return node }
            let colon = scalar.string.firstIndex(of: ":") ?? scalar.string.endIndex
            scalar.string = join(directory, String(scalar.string[..<colon])) + scalar.string[colon...]
            return .scalar(scalar)
        }
        guard case .mapping(let mapping) = node,
            mapping.pairs.contains(where: { ComposeTranslator.key($0) == "type" && ComposeTranslator.text($0.value) == "bind" })
        else { return node }
        return setting(node, "source", directory)
    }

    private static func setting(_ node: YAMLNode, _ key: String, _ directory: String) -> YAMLNode {
        guard case .mapping(var mapping) = node else { return node }
        for index in mapping.pairs.indices where ComposeTranslator.key(mapping.pairs[index]) == key {
            mapping.pairs[index].value = absolute(mapping.pairs[index].value, directory)
        }
        return .mapping(mapping)
    }

    private static func absolute(_ node: YAMLNode, _ directory: String) -> YAMLNode {
        // `~` stays for the validator, which expands it to $HOME as compose does.
        guard case .scalar(var scalar) = node, !scalar.string.hasPrefix("/"), !scalar.string.hasPrefix("~"), !scalar.string.isEmpty,
            !scalar.string.contains("$")
        else {
            return node
        }
        scalar.string = join(directory, scalar.string)
        return .scalar(scalar)
    }

    private static func join(_ directory: String, _ path: String) -> String {
        ValueRules.absolute(path, in: directory)
    }

    private static func eachValue(_ node: YAMLNode, _ transform: (YAMLNode) -> YAMLNode) -> YAMLNode {
        guard case .mapping(var mapping) = node else { return node }
        for index in mapping.pairs.indices { mapping.pairs[index].value = transform(mapping.pairs[index].value) }
        return .mapping(mapping)
    }

    private static func eachItem(_ node: YAMLNode, _ transform: (YAMLNode) -> YAMLNode) -> YAMLNode {
        switch node {
        case .sequence(var sequence):
            for index in sequence.items.indices { sequence.items[index] = transform(sequence.items[index]) }
            return .sequence(sequence)
        default:
            return transform(node)
        }
    }
}

extension YAMLNode {
    var isScalar: Bool {
        if case .scalar = self { return true }
        return false
    }
}
