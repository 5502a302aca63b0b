extension Names {
    /// The one host-name rule: dot-separated labels of ASCII letters, digits and `-` (and `_` when
    /// `allowingUnderscore`, as container names and hosts-file entries have it), each 1–63 characters and
    /// not starting or ending with `-`, at most 253 characters in all. The manifest's `hostname`, aliases and
    /// search domains use it without `_` (RFC 1123); hosts files with it, so every name the manifest accepts
    /// is one a hosts file takes.
    public static func isValidHostName(_ name: String, allowingUnderscore: Bool = false) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { c in
                    c.isASCII && (isAlphanumericASCII(c) || c == "-" || (allowingUnderscore && c == "_"))
                }
        }
    }

    /// `[A-Za-z0-9]`.
    public static func isAlphanumericASCII(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
    }
}
