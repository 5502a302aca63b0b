import Crypto
import Foundation

/// Lowercase hexadecimal, as digests are written.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Two lowercase hex digits per byte.
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

extension SHA256.Digest {
    /// The 64 lowercase hex digits of the hash.
    public var hex: String { withUnsafeBytes { Hex.encode($0) } }

    /// The OCI digest string: `sha256:<hex>`.
    public var digestString: String { "sha256:" + hex }
}

/// SHA-256 of bytes in memory, written as OCI digests write it.
public enum SHA256Hex {
    /// The 64 lowercase hex digits of `data`'s SHA-256.
    public static func of(_ data: Data) -> String { SHA256.hash(data: data).hex }

    /// `sha256:<hex>` of `data`.
    public static func digest(of data: Data) -> String { SHA256.hash(data: data).digestString }
}
