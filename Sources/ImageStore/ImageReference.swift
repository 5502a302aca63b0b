import OCI

/// A docker-style image reference, normalized: `busybox` → `docker.io/library/busybox:latest`.
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    /// Registry host and repository path, e.g. `docker.io/library/busybox`.
    public let name: String
    /// The tag; `latest` when neither a tag nor a digest was given.
    public let tag: String?
    public let digest: Digest?

    /// Parses and normalizes `string`; throws `invalid-reference` naming the input.
    public init(parsing string: String) throws(ImageStoreError) {
        func invalid(_ why: String) -> ImageStoreError {
            ImageStoreError("invalid-reference", "invalid image reference \"\(string)\": \(why)", category: .usage)
        }
        var rest = Substring(string)
        var digest: Digest?
        if let at = rest.firstIndex(of: "@") {
            do {
                digest = try Digest(parsing: String(rest[rest.index(after: at)...]))
            } catch {
                throw invalid(error.description)
            }
            rest = rest[..<at]
        }
        var tag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        if let tag, !Self.isValidTag(tag) { throw invalid("bad tag \"\(tag)\"") }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let first = components.first, !first.isEmpty else { throw invalid("empty name") }
        var domain = "docker.io"
        if components.count > 1, first.contains(".") || first.contains(":") || first == "localhost" {
            domain = first == "index.docker.io" ? "docker.io" : first
            components.removeFirst()
        }
        if domain == "docker.io" && components.count == 1 { components.insert("library", at: 0) }
        for component in components where !Self.isValidPathComponent(component) {
            throw invalid("bad name component \"\(component)\" (lowercase letters, digits and . _ - only)")
        }
        guard Self.isValidDomain(domain) else { throw invalid("bad registry \"\(domain)\"") }
        self.name = ([domain] + components).joined(separator: "/")
        self.tag = tag ?? (digest == nil ? "latest" : nil)
        self.digest = digest
    }

    /// The normalized full reference: `name[:tag][@digest]`.
    public var description: String {
        var text = name
        if let tag { text += ":" + tag }
        if let digest { text += "@" + digest.description }
        return text
    }

    static func isValidTag(_ tag: String) -> Bool {
        guard let first = tag.utf8.first, tag.utf8.count <= 128 else { return false }
        guard isAlnum(first) || first == UInt8(ascii: "_") else { return false }
        return tag.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    static func isValidPathComponent(_ part: String) -> Bool {
        let bytes = Array(part.utf8)
        guard let first = bytes.first, let last = bytes.last, isLowerAlnum(first), isLowerAlnum(last) else { return false }
        return bytes.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// `host[:port]`: letters, digits, `.` and `-` (or a bracketed IPv6 address), and a numeric port.
    static func isValidDomain(_ domain: String) -> Bool {
        var host = Substring(domain)
        if let colon = domain.lastIndex(of: ":"), !domain[colon...].contains("]") {
            let port = domain[domain.index(after: colon)...]
            guard !port.isEmpty, port.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                return false
            }
            host = domain[..<colon]
        }
        return !host.isEmpty
            && host.utf8.allSatisfy {
                isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ":")
                    || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]")
            }
    }

    static func isLowerAlnum(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }

    static func isAlnum(_ c: UInt8) -> Bool {
        isLowerAlnum(c) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
    }
}
