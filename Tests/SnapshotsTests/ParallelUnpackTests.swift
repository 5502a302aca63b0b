import Foundation
import ImageStore
import OCI
import Testing
@testable import Snapshots

@Suite struct ParallelUnpackTests {
    @Test func goodLayersCommitAndTheBadOneIsNamed() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let store = try ImageStore(root: scratch.path + "/store")
        let image = try makeImage(store, scratch: scratch, name: "berth.local/three:1", layers: SnapshotStoreTests.layers,
                                  wrongDiffID: 2)
        let snapshots = try SnapshotStore(root: scratch.path + "/snapshots", snapshotter: .overlayfs)
        let error = #expect(throws: SnapshotError.self) { try snapshots.unpack(image, from: store) }
        #expect(error?.code == "diffid-mismatch")
        #expect(error?.message.contains("layer 2") == true)
        #expect(try snapshots.pendingLayers(for: image).map(\.index) == [2])
        #expect(scratch.tree("snapshots/overlayfs/tmp").isEmpty)
    }

    @Test func concurrentUnpacksOfOneImageShareTheWork() async throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let store = try ImageStore(root: scratch.path + "/store")
        let image = try makeImage(store, scratch: scratch, name: "berth.local/three:1", layers: SnapshotStoreTests.layers)
        let root = scratch.path + "/snapshots"
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let snapshots = try SnapshotStore(root: root, snapshotter: .overlayfs)
                    return try snapshots.unpack(image, from: store).count
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(counts.sorted() == [0, 0, 0, 3])
        let snapshots = try SnapshotStore(root: root, snapshotter: .overlayfs)
        #expect(try snapshots.pendingLayers(for: image).isEmpty)
    }
}
