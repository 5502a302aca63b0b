import Crypto
import Foundation
import OCI

enum Hashing {
    /// The sha256 digest of `data`.
    static func digest(of data: Data) throws -> OCI.Digest {
        try OCI.Digest(sha256Hex: hex(SHA256.hash(data: data)))
    }

    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
