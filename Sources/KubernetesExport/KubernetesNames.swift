/// Kubernetes' rules for names, label keys and values, and resource quantities.
enum KubernetesNames {
    /// A Berth name (`[a-z0-9][a-z0-9_.-]*`) as an RFC 1123 label: `_` and `.` become `-`, trailing `-` is dropped.
    static func label(from name: String) -> String {
        var scalars = String.UnicodeScalarView(name.lowercased().unicodeScalars.map { $0 == "_" || $0 == "." ? "-" : $0 })
        while scalars.last == "-" { scalars.removeLast() }
        let result = String(String.UnicodeScalarView(scalars.prefix(63)))
        return result.isEmpty ? "x" : result
    }

    /// An RFC 1123 label as a DNS-1035 label (a Service name), which must start with a letter: `svc-` goes
    /// before a leading digit, and the result is cut back to 63 characters.
    static func serviceName(from label: String) -> String {
        guard let first = label.unicodeScalars.first, ("0"..."9").contains(first) else { return label }
        var scalars = Array(("svc-" + label).unicodeScalars.prefix(63))
        while scalars.last == "-" { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
    static func isDNSLabel(_ text: String) -> Bool {
        let s = Array(text.unicodeScalars)
        guard let first = s.first, let last = s.last, s.count <= 63, isLowerAlnum(first), isLowerAlnum(last) else {
            return false
        }
        return s.allSatisfy { isLowerAlnum($0) || $0 == "-" }
    }

    /// `[a-z0-9]([-a-z0-9.]*[a-z0-9])?` with each dot-separated part a DNS label, at most 253 characters.
    static func isDNSSubdomain(_ text: String) -> Bool {
        text.unicodeScalars.count <= 253 && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }

    /// A label or annotation key: an optional DNS-subdomain prefix and `/`, then a name of at most 63
    /// characters, alphanumeric at both ends with `-_.` inside.
    static func isQualifiedName(_ key: String) -> Bool {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return isLabelName(String(parts[0]))
        case 2: return isDNSSubdomain(String(parts[0])) && isLabelName(String(parts[1]))
        default: return false
        }
    }

    /// A label value: empty, or at most 63 characters, alphanumeric at both ends with `-_.` inside.
    static func isLabelValue(_ value: String) -> Bool {
        value.isEmpty || isLabelName(value)
    }

    private static func isLabelName(_ text: String) -> Bool {
        let s = Array(text.unicodeScalars)
        guard let first = s.first, let last = s.last, s.count <= 63, isAlnum(first), isAlnum(last) else { return false }
        return s.allSatisfy { isAlnum($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }

    private static func isLowerAlnum(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("0"..."9").contains(c)
    }

    private static func isAlnum(_ c: Unicode.Scalar) -> Bool {
        isLowerAlnum(c) || ("A"..."Z").contains(c)
    }
}

/// Resource quantities as Kubernetes writes them.
enum Quantity {
    /// Bytes with the largest binary suffix that divides them exactly (`33554432` → `32Mi`).
    static func bytes(_ n: Int64) -> String {
        for (suffix, unit) in [("Ti", Int64(1) << 40), ("Gi", Int64(1) << 30), ("Mi", Int64(1) << 20), ("Ki", Int64(1) << 10)]
        where n != 0 && n % unit == 0 {
            return "\(n / unit)\(suffix)"
        }
        return String(n)
    }

    /// CPUs as whole cores or millicores (`0.5` → `500m`); nil when below one millicore.
    static func cpu(_ cpus: Double) -> (text: String, exact: Bool)? {
        let milli = (cpus * 1000).rounded()
        guard milli >= 1, milli < Double(Int64.max) else { return nil }
        let m = Int64(milli)
        let text = m % 1000 == 0 ? String(m / 1000) : "\(m)m"
        return (text, abs(milli - cpus * 1000) < 1e-6)
    }

    /// A tmpfs `size=` value (`16m`, `1g`, `4096`, tmpfs suffixes are binary) in bytes; nil for `%` and bad values.
    static func tmpfsSize(_ value: String) -> Int64? {
        let lower = value.lowercased()
        let units: [Character: Int64] = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40]
        var digits = Substring(lower)
        var unit: Int64 = 1
        if let last = lower.last, let u = units[last] {
            unit = u
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int64(digits) else { return nil }
        let (product, overflow) = n.multipliedReportingOverflow(by: unit)
        return overflow ? nil : product
    }
}
