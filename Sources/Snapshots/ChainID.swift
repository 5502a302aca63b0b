import Crypto
import OCI

/// Chain IDs (image-spec config.md): the identity of a layer stack, used to name committed snapshots.
public enum ChainID {
    /// ChainID of the whole list: `sha256(chain(n-1) + " " + diffID(n))`; nil for an empty list.
    public static func of(_ diffIDs: [OCI.Digest]) -> OCI.Digest? {
        chain(diffIDs).last
    }

    /// The chain ID of every prefix: element i identifies layers 0...i.
    public static func chain(_ diffIDs: [OCI.Digest]) -> [OCI.Digest] {
        var result: [OCI.Digest] = []
        for diffID in diffIDs {
            guard let previous = result.last else {
                result.append(diffID)
                continue
            }
            let text = previous.description + " " + diffID.description
            let hex = SHA256.hash(data: Array(text.utf8)).map { byte -> String in
                let s = String(byte, radix: 16)
                return s.count == 1 ? "0" + s : s
            }.joined()
            // A SHA-256 hex string always parses; fall back to the previous ID rather than trap.
            result.append((try? OCI.Digest(sha256Hex: hex)) ?? previous)
        }
        return result
    }
}
