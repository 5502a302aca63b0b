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

    /// The file the node was read from, when it is not the manifest's own (a merged override file).
    var file: String? {
        switch self {
        case .scalar(let s): return s.file
        case .mapping(let m): return m.file
        case .sequence(let s): return s.file
        }
    }

    /// The node and everything in it marked as read from `file`.
    func from(file: String) -> YAMLNode {
        switch self {
        case .scalar(var s):
            s.file = file
            return .scalar(s)
        case .mapping(var m):
            m.file = file
            m.pairs = m.pairs.map { YAMLPair(key: $0.key.from(file: file), value: $0.value.from(file: file)) }
            return .mapping(m)
        case .sequence(var s):
            s.file = file
            s.items = s.items.map { $0.from(file: file) }
            return .sequence(s)
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
    var file: String? = nil

    /// The YAML 1.1 core type this scalar resolves to (Yams' default resolver).
    var resolvedTag: Tag.Name {
        if let tag, tag != "!" { return Tag.Name(rawValue: tag) }
        guard plain else { return .str }
        if let word = Self.wordTags[string] { return word }
        if Self.isCertainlyString(string) { return .str }
        if Self.isPlainDecimal(string) { return .int }
        return Resolver.default.resolveTag(of: Node(string))
    }

    /// `0` or digits without a leading zero: the resolver's int rule takes these before any other rule.
    static func isPlainDecimal(_ text: String) -> Bool {
        guard let first = text.utf8.first, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return false }
        return first != 0x30 || text.utf8.count == 1
    }

    /// Yams' default resolver only types a scalar that is empty, starts with a digit or one of `~<=.+-`, or
    /// is one of the YAML 1.1 bool and null words; anything else is a string. Checking this first spares
    /// most scalars (and most manifests) the resolver, whose regular expressions cost milliseconds to compile
    /// on every run.
    private static let resolverStarts = Set("~<=.+-0123456789")
    private static let resolverWords: Set<String> = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL",
    ]

    /// The words the resolver types without a number in them, with the type it gives (its bool rule comes
    /// first, then int, float, merge, null, timestamp, value): `apply: true` or `x: ~` needs no regular expression.
    static let wordTags: [String: Tag.Name] = {
        var tags: [String: Tag.Name] = ["": .null, "~": .null, "<<": .merge, "=": .value]
        for word in resolverWords { tags[word] = word.lowercased() == "null" ? .null : .bool }
        return tags
    }()

    static func isCertainlyString(_ text: String) -> Bool {
        guard let first = text.first else { return false }
        return !resolverStarts.contains(first) && !resolverWords.contains(text)
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
    var file: String? = nil
}

struct YAMLSequence {
    var items: [YAMLNode]
    var line: Int
    var column: Int
    var file: String? = nil
}
