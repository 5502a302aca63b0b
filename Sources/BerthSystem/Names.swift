import Diagnostics

/// What an outside name names. Each kind has one rule; nothing becomes part of a path, a runtime id,
/// a snapshot key or a cgroup until `Names.validate` has accepted it.
public enum NameKind: String, Sendable, CaseIterable {
    /// A project: compose's rule `[a-z0-9][a-z0-9_-]*`, at most 63 characters. No dot, so the runtime id
    /// and snapshot key `<project>.<container>` name exactly one pair.
    case project
    /// A container of a project: `[a-z0-9][a-z0-9_.-]*`, at most 63 characters.
    case container
    /// A network (a CNI network name, a conflist and IPAM directory name): `[a-z0-9][a-z0-9_.-]*`, at most
    /// 63 characters, as a container.
    case network
    /// A named volume (a directory under the state root's `volumes/`): as a network.
    case volume
    /// A secret or config of a manifest (a file name under the container's directory): as a volume, with
    /// capital letters allowed (compose files use them).
    case secret

    /// The rule, as shown in errors and the README.
    public var rule: String {
        switch self {
        case .project: return "^[a-z0-9][a-z0-9_-]{0,62}$"
        case .container, .network, .volume: return "^[a-z0-9][a-z0-9_.-]{0,62}$"
        case .secret: return "^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"
        }
    }

    /// The rule in words.
    public var ruleInWords: String {
        switch self {
        case .project: return "lowercase letters, digits, `_` and `-`, starting with a letter or digit, at most 63 characters"
        case .secret: return "letters, digits, `_`, `.` and `-`, starting with a letter or digit, at most 63 characters"
        case .container, .network, .volume:
            return "lowercase letters, digits, `_`, `.` and `-`, starting with a letter or digit, at most 63 characters"
        }
    }

    fileprivate func allows(_ c: Unicode.Scalar) -> Bool {
        switch self {
        case .project: return Names.isLowerAlnum(c) || c == "_" || c == "-"
        case .secret: return Names.isLowerAlnum(c) || ("A"..."Z").contains(c) || c == "_" || c == "-" || c == "."
        case .container, .network, .volume: return Names.isLowerAlnum(c) || c == "_" || c == "-" || c == "."
        }
    }
}

/// A name that does not follow its kind's rule (exit status 2).
public struct NameError: BerthError {
    public var kind: NameKind
    public var value: String
    /// Where the value came from: `-p/--project-name`, `plan file x.json: containers[0].name`, ….
    public var source: String
    public var category: ErrorCategory { .usage }

    public init(kind: NameKind, value: String, source: String) {
        self.kind = kind
        self.value = value
        self.source = source
    }
    public var code: String { "invalid-\(kind.rawValue)-name" }
    public var message: String {
        "invalid \(kind.rawValue) name \(Names.quoted(value)) (\(source)): \(kind.ruleInWords) (\(kind.rule))"
    }
}

/// The one place that decides whether outside text is an acceptable name.
public enum Names {
    public static let maximumLength = 63

    /// Whether `value` follows the rule of `kind`.
    public static func isValid(_ value: String, _ kind: NameKind) -> Bool {
        let scalars = value.unicodeScalars
        guard let first = scalars.first, isLowerAlnum(first) || (kind == .secret && ("A"..."Z").contains(first)),
            scalars.count <= maximumLength
        else { return false }
        return scalars.allSatisfy(kind.allows)
    }

    /// Returns `value` when valid; otherwise throws a usage error naming `source` and the rule.
    @discardableResult
    public static func validate(_ value: String, _ kind: NameKind, source: String) throws -> String {
        guard isValid(value, kind) else { throw NameError(kind: kind, value: value, source: source) }
        return value
    }

    /// A directory name made into a project name: lowercased, characters outside the rule become `-`,
    /// leading characters that cannot start a name dropped, cut to 63. Nil when nothing is left.
    public static func normalizedProjectName(_ raw: String) -> String? {
        var scalars = raw.lowercased().unicodeScalars.map { c -> Unicode.Scalar in
            NameKind.project.allows(c) ? c : "-"
        }
        while let first = scalars.first, !isLowerAlnum(first) { scalars.removeFirst() }
        let name = String(String.UnicodeScalarView(scalars.prefix(maximumLength)))
        return isValid(name, .project) ? name : nil
    }

    /// `value` quoted for a message: control characters, quotes and anything beyond ASCII escaped, long
    /// values cut, so a hostile name cannot forge lines or hide itself in a terminal.
    public static func quoted(_ value: String, limit: Int = 80) -> String {
        var out = "\""
        var count = 0
        for scalar in value.unicodeScalars {
            if count == limit {
                out += "…"
                break
            }
            count += 1
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            default:
                if scalar.value < 0x20 || scalar.value >= 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func isLowerAlnum(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("0"..."9").contains(c)
    }
}
