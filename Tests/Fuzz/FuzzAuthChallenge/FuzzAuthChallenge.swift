import Foundation
@testable import Registry

/// A `WWW-Authenticate` header value → `AuthChallenge(header:)`.
/// Invariants: parsing never traps; it fails only for a blank header; the scheme is lowercase without spaces and
/// parameter names are lowercase and trimmed; a challenge whose scheme and names are HTTP tokens, written back as
/// `scheme name="value", …` (quoted-string, `"` and `\` escaped), parses to the same challenge.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAuthChallenge(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let header = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    guard let challenge = AuthChallenge(header: header) else {
        if !header.trimmingCharacters(in: .whitespaces).isEmpty { fail("no challenge from a non-blank header", header) }
        return 0
    }
    if challenge.scheme.contains(" ") || challenge.scheme != challenge.scheme.lowercased() {
        fail("scheme \"\(challenge.scheme)\"", header)
    }
    for name in challenge.parameters.keys where name != name.lowercased() || name != name.trimmingCharacters(in: .whitespaces) {
        fail("parameter name \"\(name)\"", header)
    }
    guard isToken(challenge.scheme), challenge.parameters.keys.allSatisfy(isToken) else { return 0 }
    let written =
        challenge.scheme + " "
        + challenge.parameters.sorted { $0.key < $1.key }.map { name, value in
            name + "=\"" + quotedStringContent(value) + "\""
        }.joined(separator: ", ")
    guard let again = AuthChallenge(header: written), again == challenge else {
        fail("\(challenge) written as \(written) parses to \(String(describing: AuthChallenge(header: written)))", header)
    }
    return 0
}

/// `value` with backslashes and `"` escaped, scalar by scalar (`replacingOccurrences` matches Characters, and misses a `"`
/// that a following combining mark joins).
private func quotedStringContent(_ value: String) -> String {
    var escaped = String.UnicodeScalarView()
    for scalar in value.unicodeScalars {
        if scalar == "\\" || scalar == "\"" { escaped.append("\\") }
        escaped.append(scalar)
    }
    return String(escaped)
}

/// RFC 9110 `token`: one or more tchar.
private func isToken(_ text: String) -> Bool {
    !text.isEmpty
        && text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
}

private func fail(_ what: String, _ header: String) -> Never {
    FileHandle.standardError.write(Data("FuzzAuthChallenge invariant violated: \(what)\n--- header ---\n\(header)\n".utf8))
    abort()
}
