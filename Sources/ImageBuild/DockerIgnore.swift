import Foundation

/// `.dockerignore` as docker reads it: one pattern per line (`#` comments, blank lines skipped), `*` and `?`
/// within a path component, `**` across components, a leading `!` re-including; the last pattern that matches
/// a path (or one of its parent directories) decides.
struct DockerIgnore: Sendable {
    struct Rule: Sendable {
        var expression: NSRegularExpression
        var exclude: Bool
    }

    let rules: [Rule]

    init(text: String) {
        rules = text.split(whereSeparator: \.isNewline).compactMap { raw in
            var line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { return nil }
            var exclude = true
            if line.hasPrefix("!") {
                exclude = false
                line.removeFirst()
            }
            while line.hasPrefix("/") || line.hasPrefix("./") { line.removeFirst(line.hasPrefix("/") ? 1 : 2) }
            while line.hasSuffix("/") { line.removeLast() }
            guard !line.isEmpty, let expression = try? NSRegularExpression(pattern: Self.regex(line)) else { return nil }
            return Rule(expression: expression, exclude: exclude)
        }
    }

    /// Whether `path` (relative, `/`-separated) is left out of the context.
    func excludes(_ path: String) -> Bool {
        var excluded = false
        let components = path.split(separator: "/")
        for rule in rules {
            // The path itself or a directory above it.
            let matched = (1...max(components.count, 1)).contains { count in
                let prefix = components.prefix(count).joined(separator: "/")
                return rule.expression.firstMatch(in: prefix, range: NSRange(prefix.startIndex..., in: prefix)) != nil
            }
            if matched { excluded = rule.exclude }
        }
        return excluded
    }

    /// The pattern as an anchored regular expression.
    static func regex(_ pattern: String) -> String {
        var out = "^"
        var chars = Array(pattern)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "*":
                if i + 1 < chars.count, chars[i + 1] == "*" {
                    i += 1
                    if i + 1 < chars.count, chars[i + 1] == "/" {
                        i += 1
                        out += "(.*/)?"
                    } else {
                        out += ".*"
                    }
                } else {
                    out += "[^/]*"
                }
            case "?": out += "[^/]"
            case "[":
                if let close = chars[(i + 1)...].firstIndex(of: "]") {
                    var set = String(chars[(i + 1)..<close])
                    if set.hasPrefix("!") { set = "^" + set.dropFirst() }
                    out += "[" + set.replacingOccurrences(of: "\\", with: "\\\\") + "]"
                    i = close
                } else {
                    out += "\\["
                }
            case "\\":
                if i + 1 < chars.count {
                    i += 1
                    out += NSRegularExpression.escapedPattern(for: String(chars[i]))
                }
            default:
                out += NSRegularExpression.escapedPattern(for: String(c))
            }
            i += 1
        }
        chars.removeAll()
        return out + "$"
    }
}
