import Diagnostics
import Foundation

/// Compose's `include:` and `extends:`, resolved on the YAML tree before translation: an included file's
/// services, networks, volumes, secrets and configs join the file's own (the including file wins on a
/// name both define); a service that `extends` another (in the same file or in `file:`) starts from that
/// service's settings merged with its own (`ComposeMerge`). Nodes keep the file they were read from.
struct ComposeExtends {
    let path: String
    let directory: String
    var diagnostics: [Diagnostic] = []
    /// Files read, by path (each parsed once).
    private var trees: [String: YAMLNode] = [:]

    init(path: String, directory: String) {
        self.path = path
        self.directory = directory
    }

    mutating func resolve(_ root: YAMLNode) -> YAMLNode {
        var root = root
        guard case .mapping(var mapping) = root else { return root }
        if let index = mapping.pairs.firstIndex(where: { ComposeTranslator.key($0) == "include" }) {
            let entry = mapping.pairs.remove(at: index)
            root = .mapping(mapping)
            for file in includedFiles(entry.value) {
                guard let included = read(file, at: entry.key) else { continue }
                root = ComposeMerge.merge(stripped(included), root)
            }
        }
        guard case .mapping(var top) = root,
            let servicesIndex = top.pairs.firstIndex(where: { ComposeTranslator.key($0) == "services" }),
            case .mapping(var services) = top.pairs[servicesIndex].value
        else { return root }
        for index in services.pairs.indices {
            var seen: Set<String> = []
            services.pairs[index].value = extended(services.pairs[index].value, services: services, file: nil, seen: &seen)
        }
        top.pairs[servicesIndex].value = .mapping(services)
        return .mapping(top)
    }

    /// `service` with what it extends merged under it, recursively; a cycle is reported once.
    private mutating func extended(_ service: YAMLNode, services: YAMLMapping, file: String?, seen: inout Set<String>) -> YAMLNode {
        guard case .mapping(var mapping) = service,
            let index = mapping.pairs.firstIndex(where: { ComposeTranslator.key($0) == "extends" })
        else { return service }
        let entry = mapping.pairs.remove(at: index)
        var baseName: String?
        var baseFile: String?
        switch entry.value {
        case .scalar(let scalar): baseName = scalar.string
        case .mapping(let settings):
            for pair in settings.pairs {
                switch ComposeTranslator.key(pair) {
                case "service": baseName = ComposeTranslator.text(pair.value)
                case "file": baseFile = ComposeTranslator.text(pair.value)
                default: warn("`extends` setting `\(ComposeTranslator.key(pair) ?? "")` is not supported; ignored", at: pair.key)
                }
            }
        case .sequence: break
        }
        guard let baseName else {
            error("`extends` needs `service` (the service to start from)", at: entry.key)
            return .mapping(mapping)
        }
        var pool = services
        var fromFile = file
        if let baseFile {
            // Cleaned and absolute, so that `./b.yaml` and `sub/../b.yaml` are one file to the cycle check.
            let resolved = ValueRules.absolute(baseFile, in: file.map { ($0 as NSString).deletingLastPathComponent } ?? directory)
            guard let tree = read(resolved, at: entry.value), case .mapping(let other) = tree,
                case .mapping(let otherServices)? = other.pairs.first(where: { ComposeTranslator.key($0) == "services" })?.value
            else { return .mapping(mapping) }
            pool = otherServices
            fromFile = resolved
        }
        let identity = (fromFile ?? ValueRules.absolute(path, in: directory)) + "#" + baseName
        guard seen.insert(identity).inserted else {
            error("`extends` of `\(baseName)` goes round in a cycle", at: entry.value)
            return .mapping(mapping)
        }
        guard let base = pool.pairs.first(where: { ComposeTranslator.key($0) == baseName })?.value else {
            error(
                "`extends` names service `\(baseName)`, which \(baseFile.map { "\($0) does not define" } ?? "is not defined in this file")",
                at: entry.value)
            return .mapping(mapping)
        }
        let resolvedBase = extended(base, services: pool, file: fromFile, seen: &seen)
        return ComposeMerge.merge(resolvedBase, .mapping(mapping))
    }

    private mutating func includedFiles(_ node: YAMLNode) -> [String] {
        let items: [YAMLNode]
        switch node {
        case .sequence(let sequence): items = sequence.items
        default: items = [node]
        }
        var files: [String] = []
        for item in items {
            switch item {
            case .scalar(let scalar): files.append(scalar.string)
            case .mapping(let mapping):
                for pair in mapping.pairs {
                    switch ComposeTranslator.key(pair) {
                    case "path":
                        if case .sequence(let paths) = pair.value {
                            files += paths.items.compactMap(ComposeTranslator.text)
                        } else if let text = ComposeTranslator.text(pair.value) {
                            files.append(text)
                        }
                    default: warn("`include` setting `\(ComposeTranslator.key(pair) ?? "")` is not supported; ignored", at: pair.key)
                    }
                }
            case .sequence: continue
            }
        }
        return files.map { ValueRules.absolute($0, in: directory) }
    }

    /// An included file without its own `name` and `version` (the including file's stand).
    private func stripped(_ node: YAMLNode) -> YAMLNode {
        guard case .mapping(var mapping) = node else { return node }
        mapping.pairs.removeAll { ["name", "version", "include"].contains(ComposeTranslator.key($0) ?? "") }
        return .mapping(mapping)
    }

    private mutating func read(_ file: String, at node: YAMLNode) -> YAMLNode? {
        if let tree = trees[file] { return tree }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            error("cannot read \(file)", at: node)
            return nil
        }
        switch YAMLReader.parse(text, file: file) {
        case .failure(let failure):
            diagnostics += failure.diagnostics
            return nil
        case .success(nil):
            return nil
        case .success(let tree?):
            // Its relative paths are its own directory's, as compose reads them.
            let marked = ComposePaths.absolutize(tree, directory: (file as NSString).deletingLastPathComponent).from(file: file)
            trees[file] = marked
            return marked
        }
    }

    private mutating func warn(_ message: String, at node: YAMLNode) {
        diagnostics.append(.warning(at: location(node), message))
    }

    private mutating func error(_ message: String, at node: YAMLNode) {
        diagnostics.append(.error(at: location(node), message))
    }

    private func location(_ node: YAMLNode) -> SourceLocation {
        SourceLocation(file: node.file ?? path, line: node.position.line, column: node.position.column)
    }
}
