/// A content digest `algorithm:encoded` (OCI image-spec descriptor.md). Only sha256 is produced;
/// sha512 is parsed so foreign layouts decode.
public struct Digest: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let algorithm: String
    public let encoded: String

    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed(String)
        public var description: String {
            switch self {
            case .malformed(let s): return "invalid digest \"\(s)\": expected sha256:<64 lowercase hex digits>"
            }
        }
    }

    /// Parses `sha256:<64 hex>` (or `sha512:<128 hex>`).
    public init(parsing string: String) throws(ParseError) {
        guard let colon = string.firstIndex(of: ":") else { throw .malformed(string) }
        let algorithm = String(string[..<colon])
        let encoded = String(string[string.index(after: colon)...])
        let expectedLength: Int
        switch algorithm {
        case "sha256": expectedLength = 64
        case "sha512": expectedLength = 128
        default: throw .malformed(string)
        }
        guard encoded.utf8.count == expectedLength,
            encoded.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) })
        else { throw .malformed(string) }
        self.algorithm = algorithm
        self.encoded = encoded
    }

    /// A sha256 digest from its 64 lowercase hex digits.
    public init(sha256Hex hex: String) throws(ParseError) {
        try self.init(parsing: "sha256:" + hex)
    }

    public var description: String { "\(algorithm):\(encoded)" }

    /// The first 12 hex digits, as `docker images` shows them.
    public var shortID: String { String(encoded.prefix(12)) }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        do {
            try self.init(parsing: string)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
