/// A YAML document tree. Maps are emitted with sorted keys so the same object gives the same bytes.
indirect enum YAMLValue: Hashable, Sendable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case list([YAMLValue])
    case map([String: YAMLValue])

    /// Block-style YAML ending in a newline. Strings are quoted unless they can only be read as strings.
    func emitted() -> String {
        lines(indent: 0).joined(separator: "\n") + "\n"
    }

    private var inline: String? {
        switch self {
        case .string(let text): return YAMLValue.quoted(text)
        case .int(let n): return String(n)
        case .bool(let b): return b ? "true" : "false"
        case .list(let items): return items.isEmpty ? "[]" : nil
        case .map(let entries): return entries.isEmpty ? "{}" : nil
        }
    }

    private func lines(indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        switch self {
        case .map(let entries):
            return entries.keys.sorted().flatMap { key -> [String] in
                let value = entries[key] ?? .map([:])
                let head = pad + YAMLValue.quoted(key) + ":"
                if let scalar = value.inline { return [head + " " + scalar] }
                if case .list = value { return [head] + value.lines(indent: indent) }
                return [head] + value.lines(indent: indent + 2)
            }
        case .list(let items):
            return items.flatMap { item -> [String] in
                if let scalar = item.inline { return [pad + "- " + scalar] }
                if case .map = item {
                    var nested = item.lines(indent: indent + 2)
                    nested[0] = pad + "- " + nested[0].dropFirst(indent + 2)
                    return nested
                }
                return [pad + "-"] + item.lines(indent: indent + 2)
            }
        default:
            return [pad + (inline ?? "")]
        }
    }

    private static let reservedWords: Set<String> = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"]

    /// Plain when the text starts with a letter or `/`, holds only `[A-Za-z0-9_./@:-]`, does not end in `:`
    /// and is no YAML 1.1 keyword; double-quoted with escapes otherwise.
    static func quoted(_ text: String) -> String {
        if let first = text.unicodeScalars.first, first.isASCIILetter || first == "/",
            text.unicodeScalars.last != ":",
            text.unicodeScalars.allSatisfy({ $0.isASCIILetter || ("0"..."9").contains($0) || "_./@:-".unicodeScalars.contains($0) }),
            !reservedWords.contains(text.lowercased())
        {
            return text
        }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || [0x2028, 0x2029, 0xFEFF].contains(scalar.value) {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
