import Foundation

/// A parsed `WWW-Authenticate` header: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`.
struct AuthChallenge: Sendable, Hashable {
    var scheme: String
    var parameters: [String: String]

    /// Parses the first challenge of the header; nil when it has no scheme. Reads Unicode scalars, not Characters:
    /// a header is octets, and a combining mark after `"` or `=` must not merge with it into one Character.
    init?(header: String) {
        let text = header.trimmingCharacters(in: .whitespaces).unicodeScalars
        guard let space = text.firstIndex(of: " ") ?? (text.isEmpty ? nil : text.endIndex) else { return nil }
        scheme = String(text[..<space]).lowercased()
        parameters = [:]
        var rest = text[space...].drop { $0 == " " }
        while !rest.isEmpty {
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = String(rest[..<equals]).trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            var value = String.UnicodeScalarView()
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                while let c = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        value.append(c)
                        escaped = false
                    } else if c == "\\" {
                        escaped = true
                    } else if c == "\"" {
                        break
                    } else {
                        value.append(c)
                    }
                }
                rest = rest.drop { $0 != "," }
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = String(rest[..<end]).trimmingCharacters(in: .whitespaces).unicodeScalars
                rest = rest[end...]
            }
            parameters[key] = String(value)
            rest = rest.drop { $0 == "," || $0 == " " }
        }
    }
}
