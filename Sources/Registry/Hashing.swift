import BerthSystem
import Crypto
import Foundation
import OCI

enum Hashing {
    /// The sha256 digest of `data`.
    static func digest(of data: Data) throws -> OCI.Digest {
        try OCI.Digest(sha256Hex: SHA256Hex.of(data))
    }
}
