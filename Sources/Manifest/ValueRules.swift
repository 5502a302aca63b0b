import BerthSystem

/// Pure checks and conversions of single manifest values (no locations, no diagnostics).
enum ValueRules {
    /// The most `cpus` Berth accepts; its CFS quota (`cpus` × 100000 µs) stays below the kernel's limit (2^44 µs).
    static let maxCPUs: Double = 100_000_000

    /// Bytes from `64m`, `1g`, `512k`, `4096` (k/m/g are powers of 1024; a trailing `b` is allowed).
    static func bytes(_ text: String) -> Int64? {
        var digits = Substring(text.lowercased())
        if digits.hasSuffix("b") { digits = digits.dropLast() }
        var multiplier: Int64 = 1
        switch digits.last {
        case "k": multiplier = 1 << 10
        case "m": multiplier = 1 << 20
        case "g": multiplier = 1 << 30
        default: break
        }
        if multiplier != 1 { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(digits) else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    /// Why `reference` is not `name[:tag][@sha256:hex]`, or nil when it is well formed.
    static func referenceProblem(_ reference: String) -> String? {
        if reference.isEmpty { return "it is empty" }
        if reference.contains(where: { $0.isWhitespace }) { return "it contains whitespace" }
        var rest = Substring(reference)
        if let at = rest.firstIndex(of: "@") {
            let digest = rest[rest.index(after: at)...]
            rest = rest[..<at]
            guard digest.hasPrefix("sha256:"), digest.count == 71,
                digest.dropFirst(7).allSatisfy({ $0.isHexDigit && !$0.isUppercase })
            else {
                return "the digest must be `sha256:` followed by 64 lowercase hex digits"
            }
        }
        let lastSlash = rest.lastIndex(of: "/")
        if let colon = rest.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            let tag = rest[rest.index(after: colon)...]
            rest = rest[..<colon]
            guard let first = tag.first, first.isASCII, first.isLetter || first.isNumber || first == "_", tag.count <= 128,
                tag.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) })
            else {
                return "the tag `\(tag)` must be letters, digits, `_`, `.` or `-`, at most 128 characters"
            }
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false)
        if components.count > 1, let domain = components.first,
            domain.contains(".") || domain.contains(":") || domain == "localhost"
        {
            components.removeFirst()
            let hostAndPort = domain.split(separator: ":", omittingEmptySubsequences: false)
            guard hostAndPort.count <= 2, hostAndPort.last?.isEmpty == false,
                hostAndPort.count == 1 || hostAndPort[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                hostAndPort[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-".contains($0)) })
            else {
                return "the registry `\(domain)` is not a host name"
            }
        }
        for component in components where !isPathComponent(component) {
            return component.isEmpty
                ? "it has an empty name component"
                : "the name component `\(component)` must be lowercase letters and digits separated by `.`, `_` or `-`"
        }
        return nil
    }

    private static func isPathComponent(_ s: Substring) -> Bool {
        guard let first = s.first, let last = s.last, isLowerAlnum(first), isLowerAlnum(last) else { return false }
        return s.allSatisfy { isLowerAlnum($0) || "._-".contains($0) }
    }

    private static func isLowerAlnum(_ c: Character) -> Bool {
        c.isASCII && (c.isNumber || c.isLowercase)
    }

    static func isValidUser(_ user: String) -> Bool {
        let parts = user.split(separator: ":", omittingEmptySubsequences: false)
        return (1...2).contains(parts.count)
            && parts.allSatisfy { !$0.isEmpty && !$0.contains(where: { $0.isWhitespace || $0 == "/" }) }
    }

    /// `BerthSystem.Names.isValidHostName` without `_`: what a hosts file also accepts.
    static func isValidHostname(_ name: String) -> Bool {
        Names.isValidHostName(name)
    }

    /// `path` made absolute against `directory` and lexically cleaned (`.`/`..`/`//` removed); symlinks untouched.
    static func absolute(_ path: String, in directory: String) -> String {
        clean(path.hasPrefix("/") ? path : directory + "/" + path)
    }

    /// `path` lexically cleaned: the one rule, `BerthSystem.PathGuard.clean`.
    static func clean(_ path: String) -> String {
        PathGuard.clean(path)
    }
}
