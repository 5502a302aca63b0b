import Yams

/// A YAML node as written, with its 1-based position. Unlike Yams' composer, duplicate keys are kept,
/// so that the reader can report every one of them instead of failing at the first.
indirect enum YAMLNode {
    case scalar(YAMLScalar)
    case mapping(YAMLMapping)
    case sequence(YAMLSequence)

    var position: (line: Int, column: Int) {
        switch self {
        case .scalar(let s): return (s.line, s.column)
        case .mapping(let m): return (m.line, m.column)
        case .sequence(let s): return (s.line, s.column)
        }
    }
}

struct YAMLScalar {
    var string: String
    /// Plain (unquoted, not a block scalar): only these resolve to null, bool, int or float.
    var plain: Bool
    /// The explicit tag (`!!str` as its full name), if any.
    var tag: String?
    var line: Int
    var column: Int

    /// The YAML 1.1 core type this scalar resolves to (Yams' default resolver).
    var resolvedTag: Tag.Name {
        if let tag, tag != "!" { return Tag.Name(rawValue: tag) }
        guard plain else { return .str }
        return Resolver.default.resolveTag(of: Node(string))
    }
}

struct YAMLPair {
    var key: YAMLNode
    var value: YAMLNode
}

struct YAMLMapping {
    var pairs: [YAMLPair]
    var line: Int
    var column: Int
}

struct YAMLSequence {
    var items: [YAMLNode]
    var line: Int
    var column: Int
}
