import OCI
import Testing
@testable import Snapshots

@Suite struct ChainIDTests {
    static func digest(_ c: Character) throws -> Digest { try Digest(parsing: "sha256:" + String(repeating: c, count: 64)) }

    @Test func specTestVector() throws {
        let a = try Self.digest("a"), b = try Self.digest("b"), c = try Self.digest("c")
        #expect(ChainID.of([]) == nil)
        #expect(ChainID.of([a]) == a)
        #expect(ChainID.of([a, b])?.description == "sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c")
        #expect(ChainID.of([a, b, c])?.description == "sha256:c1377126441fb2f5ec2c21ae2a60255331d639e830f0ee1b40a36e52d4c40588")
        let chain = ChainID.chain([a, b, c])
        #expect(chain.count == 3)
        #expect(chain[0] == a)
        #expect(chain[1] == ChainID.of([a, b]))
        #expect(chain[2] == ChainID.of([a, b, c]))
    }
}
