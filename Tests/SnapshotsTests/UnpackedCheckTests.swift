import Foundation
import ImageStore
import OCI
import Testing
@testable import Snapshots

@Suite struct UnpackedCheckTests {
    /// Deciding that an unpacked image needs nothing is a handful of stat calls: well under 5 ms.
    @Test(arguments: SnapshotterKind.allCases)
    func anUnpackedImageNeedsNothingAndDecidingIsCheap(_ kind: SnapshotterKind) throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let store = try ImageStore(root: scratch.path + "/store")
        let image = try makeImage(
            store, scratch: scratch, name: "berth.local/four:1",
            layers: [
                [.file("a", "1")], [.file("b", "2")], [.file("c", "3")], [.file("d", "4")],
            ])
        let snapshots = try SnapshotStore(root: scratch.path + "/snapshots", snapshotter: kind)
        #expect(try snapshots.unpack(image, from: store).count == 4)
        let clock = ContinuousClock()
        var pending: [LayerUnpack] = [LayerUnpack]()
        let elapsed = try clock.measure {
            for _ in 0..<100 { pending = try snapshots.pendingLayers(for: image) }
        }
        #expect(pending.isEmpty)
        #expect(elapsed / 100 < .milliseconds(5), "\(elapsed / 100) per check")
        #expect(try snapshots.unpack(image, from: store).isEmpty)
    }
}
