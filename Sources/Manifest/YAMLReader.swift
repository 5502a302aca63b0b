import Diagnostics
import Yams

/// Reads Yams nodes into located values, collecting structural diagnostics (types, duplicate keys) as it goes.
/// Scalar values (never keys) are interpolated from `variables`.
struct YAMLReader {
    /// A scalar after interpolation, with the YAML type it resolves to.
    struct Scalar {
        enum Kind { case null, bool, int, float, string }
        var text: String
        var kind: Kind
        var node: YAMLScalar
        var location: SourceLocation
    }

    let file: String
    let variables: [String: String]
    var diagnostics: [Diagnostic] = []

    init(file: String, variables: [String: String]) {
        self.file = file
        self.variables = variables
    }

    /// Parses YAML text into a node tree; a syntax error becomes a diagnostic at its mark.
    static func parse(_ text: String, file: String) -> Result<YAMLNode?, DiagnosticsError> {
        do {
            return .success(try YAMLComposer.compose(text))
        } catch {
            let loc = SourceLocation(file: file, line: error.line, column: error.column)
            return .failure(DiagnosticsError([ManifestDiagnostics.syntax(error.problem, at: loc)]))
        }
    }

    func location(_ node: YAMLNode) -> SourceLocation {
        let position = node.position
        return SourceLocation(file: node.file ?? file, line: position.line, column: position.column)
    }

    /// How a node is named in "expected …, got …" messages.
    static func describe(_ node: YAMLNode) -> String {
        switch node {
        case .mapping: return "a map"
        case .sequence: return "a list"
        case .scalar(let s):
            switch kind(of: s, interpolated: nil) {
            case .null: return "null"
            case .bool: return "a boolean"
            case .int: return "an integer"
            case .float: return "a number"
            case .string: return "a string"
            }
        }
    }

    /// The type of a scalar; an interpolated value is typed by its text, as compose does.
    static func kind(of scalar: YAMLScalar, interpolated: String?) -> Scalar.Kind {
        var resolved = scalar
        if let interpolated {
            resolved = YAMLScalar(string: interpolated, plain: true, tag: nil, line: scalar.line, column: scalar.column, file: scalar.file)
        }
        switch resolved.resolvedTag {
        case .null: return .null
        case .bool: return .bool
        case .int: return .int
        case .float: return .float
        default: return .string
        }
    }

    // MARK: Maps and lists

    /// The key/value pairs of a map, with `<<` merges applied; duplicate and non-string keys are reported.
    mutating func pairs(_ mapping: YAMLMapping) -> [(key: Located<String>, value: YAMLNode)] {
        var own: [(key: Located<String>, value: YAMLNode)] = []
        var seen: [String: SourceLocation] = [:]
        var merged: [(key: Located<String>, value: YAMLNode)] = []
        for pair in mapping.pairs {
            let (keyNode, value) = (pair.key, pair.value)
            if case .scalar(let k) = keyNode, k.resolvedTag == .merge {
                merged += mergeSources(value)
                continue
            }
            guard case .scalar(let key) = keyNode else {
                diagnostics.append(ManifestDiagnostics.nonStringKey(got: Self.describe(keyNode), at: location(keyNode)))
                continue
            }
            let loc = location(keyNode)
            if let first = seen[key.string] {
                diagnostics.append(ManifestDiagnostics.duplicateKey(key.string, at: loc, firstAt: first))
                continue
            }
            seen[key.string] = loc
            own.append((Located(key.string, at: loc), value))
        }
        for pair in merged where seen[pair.key.value] == nil {
            seen[pair.key.value] = pair.key.location
            own.append(pair)
        }
        return own
    }

    private mutating func mergeSources(_ value: YAMLNode) -> [(key: Located<String>, value: YAMLNode)] {
        switch value {
        case .mapping(let m):
            return pairs(m)
        case .sequence(let s):
            return s.items.flatMap { node -> [(key: Located<String>, value: YAMLNode)] in
                if case .mapping(let m) = node { return pairs(m) }
                diagnostics.append(ManifestDiagnostics.wrongType("<<", expected: "a map", got: Self.describe(node), at: location(node)))
                return []
            }
        default:
            diagnostics.append(
                ManifestDiagnostics.wrongType("<<", expected: "a map or a list of maps", got: Self.describe(value), at: location(value)))
            return []
        }
    }

    mutating func mapping(_ node: YAMLNode, field: String, expected: String = "a map") -> YAMLMapping? {
        if case .mapping(let m) = node { return m }
        diagnostics.append(ManifestDiagnostics.wrongType(field, expected: expected, got: Self.describe(node), at: location(node)))
        return nil
    }

    mutating func sequence(_ node: YAMLNode, field: String, expected: String) -> YAMLSequence? {
        if case .sequence(let s) = node { return s }
        diagnostics.append(ManifestDiagnostics.wrongType(field, expected: expected, got: Self.describe(node), at: location(node)))
        return nil
    }

    // MARK: Scalars

    /// A scalar value, interpolated; nil (with a diagnostic) for maps, lists and bad interpolation.
    mutating func scalar(_ node: YAMLNode, field: String, expected: String) -> Scalar? {
        guard case .scalar(let s) = node else {
            diagnostics.append(ManifestDiagnostics.wrongType(field, expected: expected, got: Self.describe(node), at: location(node)))
            return nil
        }
        let loc = location(node)
        guard s.string.contains("$") else {
            return Scalar(text: s.string, kind: Self.kind(of: s, interpolated: nil), node: s, location: loc)
        }
        do {
            var unset: Set<String> = []
            let text = try Interpolation.interpolate(s.string, variables: variables, unset: &unset)
            for name in unset.sorted() {
                diagnostics.append(
                    .warning(
                        at: loc,
                        "variable `\(name)` is not set; it is replaced by an empty string "
                            + "(set it in the environment or in .env, or write `${\(name):-default}`)"))
            }
            return Scalar(text: text, kind: Self.kind(of: s, interpolated: text), node: s, location: loc)
        } catch let failure as Interpolation.Failure {
            diagnostics.append(ManifestDiagnostics.interpolation(failure.message, at: loc))
        } catch {
            diagnostics.append(ManifestDiagnostics.interpolation("\(error)", at: loc))
        }
        return nil
    }

    /// A string value. `lenient` also takes numbers and booleans as their text (labels, env values, user).
    mutating func string(_ node: YAMLNode, field: String, lenient: Bool = false) -> Located<String>? {
        guard let s = scalar(node, field: field, expected: "a string") else { return nil }
        switch s.kind {
        case .string: return Located(s.text, at: s.location)
        case .int where lenient, .float where lenient, .bool where lenient: return Located(s.text, at: s.location)
        // A value made by interpolation is text wherever text is expected ("${UNSET}" is "", not null).
        case _ where s.node.string.contains("$"): return Located(s.text, at: s.location)
        default:
            diagnostics.append(ManifestDiagnostics.wrongType(field, expected: "a string", got: Self.describe(node), at: s.location))
            return nil
        }
    }

    /// The YAML 1.1 bool words and their values, as Yams constructs them. Making a `Node.Scalar` to ask Yams
    /// builds its default resolver, whose regular expressions cost a millisecond to compile in every run; a
    /// dictionary built at first use costs the runtime's generic set-up (a few hundred µs), a switch nothing.
    static func boolWord(_ text: String) -> Bool? {
        switch text {
        case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return true
        case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return false
        default: return nil
        }
    }

    mutating func bool(_ node: YAMLNode, field: String) -> Located<Bool>? {
        guard let s = scalar(node, field: field, expected: "a boolean") else { return nil }
        if s.kind == .bool, let value = Self.boolWord(s.text) ?? Bool.construct(from: Node.Scalar(s.text)) {
            return Located(value, at: s.location)
        }
        diagnostics.append(ManifestDiagnostics.wrongType(field, expected: "a boolean (true or false)", got: Self.describe(node), at: s.location))
        return nil
    }

    mutating func integer(_ node: YAMLNode, field: String) -> Located<Int64>? {
        guard let s = scalar(node, field: field, expected: "an integer") else { return nil }
        if s.kind == .int, let value = Int64(s.text) ?? Int.construct(from: Node.Scalar(s.text)).map(Int64.init) {
            return Located(value, at: s.location)
        }
        diagnostics.append(ManifestDiagnostics.wrongType(field, expected: "an integer", got: Self.describe(node), at: s.location))
        return nil
    }

    mutating func number(_ node: YAMLNode, field: String) -> Located<Double>? {
        guard let s = scalar(node, field: field, expected: "a number") else { return nil }
        if s.kind == .int || s.kind == .float, let value = Double(s.text) ?? Double.construct(from: Node.Scalar(s.text)) {
            return Located(value, at: s.location)
        }
        diagnostics.append(ManifestDiagnostics.wrongType(field, expected: "a number", got: Self.describe(node), at: s.location))
        return nil
    }

    /// A list of strings; a single string is accepted when `allowSingle` (e.g. `env-files: ./a.env`).
    mutating func stringList(_ node: YAMLNode, field: String, allowSingle: Bool = false) -> Located<[Located<String>]>? {
        if allowSingle, case .scalar = node {
            return string(node, field: field).map { Located([$0], at: $0.location) }
        }
        guard let seq = sequence(node, field: field, expected: "a list of strings") else { return nil }
        var items: [Located<String>] = []
        for item in seq.items {
            guard case .scalar = item else {
                diagnostics.append(
                    ManifestDiagnostics.wrongType(
                        field, expected: "a list of strings", got: "a list containing \(Self.describe(item))", at: location(item)))
                continue
            }
            if let value = string(item, field: field, lenient: true) { items.append(value) }
        }
        return Located(items, at: location(node))
    }
}
