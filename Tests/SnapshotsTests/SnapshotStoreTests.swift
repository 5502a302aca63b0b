import Foundation
import ImageStore
import OCI
import TarArchive
import Testing
@testable import Snapshots

@Suite(.serialized) struct SnapshotStoreTests {
    /// Three layers exercising a whiteout, an opaque directory and an added file.
    static let layers: [[LayerEntry]] = [
        [.dir("etc/"), .file("etc/a", "a0"), .file("etc/b", "b0"), .dir("d/"), .file("d/x", "x0"), .file("d/y", "y0")],
        [
            .dir("etc/"), .file("etc/.wh.b", ""), .dir("d/"), .file("d/.wh..wh..opq", ""), .file("d/z", "z1"),
            .file("new", "n1"),
        ],
        [.dir("etc/"), .file("etc/c", "c2"), .file("etc/a", "a2")],
    ]

    /// What a container sees on top of `layers`.
    func expectMergedView(_ scratch: Scratch, _ rootfs: String) {
        #expect(scratch.read(rootfs + "/etc/a") == "a2")
        #expect(!scratch.exists(rootfs + "/etc/b"))
        #expect(scratch.read(rootfs + "/etc/c") == "c2")
        #expect(scratch.tree(rootfs + "/d") == ["z"])
        #expect(scratch.read(rootfs + "/new") == "n1")
    }

    @Test(arguments: SnapshotterKind.allCases)
    func unpackPrepareReadAndRelease(_ kind: SnapshotterKind) throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let store = try ImageStore(root: scratch.path + "/store")
        let image = try makeImage(store, scratch: scratch, name: "berth.local/three:1", layers: Self.layers)
        let snapshots = try SnapshotStore(root: scratch.path + "/snapshots", snapshotter: kind)
        #expect(try snapshots.pendingLayers(for: image).map(\.index) == [0, 1, 2])
        let unpacked = try snapshots.unpack(image, from: store)
        #expect(unpacked.map(\.index) == [0, 1, 2])
        #expect(unpacked.map(\.chainID) == ChainID.chain(image.diffIDs))
        #expect(unpacked[1].parent == unpacked[0].chainID)
        #expect(try snapshots.pendingLayers(for: image).isEmpty)
        #expect(try snapshots.unpack(image, from: store).isEmpty)

        let rootfs = "bundle/rootfs"
        try snapshots.prepare(key: "c1", image: image, rootfs: scratch.path + "/" + rootfs)
        #expect(snapshots.isPrepared(key: "c1"))
        expectMergedView(scratch, rootfs)
        try Data("written".utf8).write(to: URL(fileURLWithPath: scratch.path + "/" + rootfs + "/etc/a"))
        let again = #expect(throws: SnapshotError.self) {
            try snapshots.prepare(key: "c1", image: image, rootfs: scratch.path + "/other")
        }
        #expect(again?.code == "snapshot-exists")

        // The committed layers are untouched by the container's write.
        let top = snapshots.layerPath(unpacked[2].chainID)
        #expect(try String(contentsOfFile: top + "/etc/a", encoding: .utf8) == "a2")

        try snapshots.release(key: "c1", rootfs: scratch.path + "/" + rootfs, removeData: false)
        #expect(!scratch.exists(rootfs + "/etc"))
        #expect(snapshots.isPrepared(key: "c1"))
        // Mounting the kept snapshot again shows the container's earlier write.
        try snapshots.mount(key: "c1", image: image, rootfs: scratch.path + "/" + rootfs)
        #expect(scratch.read(rootfs + "/etc/a") == "written")
        #expect(scratch.read(rootfs + "/new") == "n1")
        try snapshots.release(key: "c1", rootfs: scratch.path + "/" + rootfs, removeData: true)
        #expect(!snapshots.isPrepared(key: "c1"))
        #expect(!scratch.exists(rootfs + "/etc"))
        let missing = #expect(throws: SnapshotError.self) {
            try snapshots.mount(key: "c1", image: image, rootfs: scratch.path + "/" + rootfs)
        }
        #expect(missing?.code == "snapshot-not-found")
    }

    @Test(arguments: SnapshotterKind.allCases)
    func deletedLayerIsPendingAgainAndRepaired(_ kind: SnapshotterKind) throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let store = try ImageStore(root: scratch.path + "/store")
        let image = try makeImage(store, scratch: scratch, name: "berth.local/three:1", layers: Self.layers)
        let snapshots = try SnapshotStore(root: scratch.path + "/snapshots", snapshotter: kind)
        let all = try snapshots.unpack(image, from: store)
        let victim = kind == .overlayfs ? 1 : 2
        try FileManager.default.removeItem(atPath: snapshots.directory + "/layers/" + all[victim].chainID.encoded)
        #expect(try snapshots.pendingLayers(for: image).map(\.index) == [victim])
        #expect(try snapshots.unpack(image, from: store).map(\.index) == [victim])
        #expect(try snapshots.pendingLayers(for: image).isEmpty)
        try snapshots.prepare(key: "c", image: image, rootfs: scratch.path + "/rootfs")
        expectMergedView(scratch, "rootfs")
        try snapshots.release(key: "c", rootfs: scratch.path + "/rootfs", removeData: true)
    }

    @Test func openingAndPlanningWriteNothing() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let store = try ImageStore(root: scratch.path + "/store")
        let image = try makeImage(store, scratch: scratch, name: "berth.local/three:1", layers: Self.layers)
        let snapshots = try SnapshotStore(root: scratch.path + "/snapshots", snapshotter: .overlayfs)
        #expect(try snapshots.pendingLayers(for: image).count == 3)
        #expect(!snapshots.isPrepared(key: "x"))
        #expect(!scratch.exists("snapshots"))
    }

    @Test func prepareRefusesUnpackedImagesAndBadKeys() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let store = try ImageStore(root: scratch.path + "/store")
        let image = try makeImage(store, scratch: scratch, name: "berth.local/three:1", layers: Self.layers)
        let snapshots = try SnapshotStore(root: scratch.path + "/snapshots", snapshotter: .overlayfs)
        let notUnpacked = #expect(throws: SnapshotError.self) {
            try snapshots.prepare(key: "c", image: image, rootfs: scratch.path + "/mnt")
        }
        #expect(notUnpacked?.code == "image-not-unpacked")
        #expect(notUnpacked?.message.contains(image.diffIDs[0].description) == true)
        #expect(!snapshots.isPrepared(key: "c"))
        for key in ["", "..", "a/b", "x:y"] {
            let bad = #expect(throws: SnapshotError.self) {
                try snapshots.prepare(key: key, image: image, rootfs: scratch.path + "/mnt")
            }
            #expect(bad?.code == "invalid-snapshot-key")
        }
    }

    @Test func pendingLayersIsCheap() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let store = try ImageStore(root: scratch.path + "/store")
        let image = try makeImage(store, scratch: scratch, name: "berth.local/three:1", layers: Self.layers)
        let snapshots = try SnapshotStore(root: scratch.path + "/snapshots", snapshotter: .overlayfs)
        try snapshots.unpack(image, from: store)
        let clock = ContinuousClock()
        let rounds = 100
        let elapsed = try clock.measure {
            for _ in 0..<rounds { _ = try snapshots.pendingLayers(for: image) }
        }
        #expect(elapsed / rounds < .milliseconds(5))
    }

    @Test(arguments: SnapshotterKind.allCases)
    func wrongDiffIDIsRejectedAndNothingCommitted(_ kind: SnapshotterKind) throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let store = try ImageStore(root: scratch.path + "/store")
        let image = try makeImage(
            store, scratch: scratch, name: "berth.local/bad:1", layers: [Self.layers[0]],
            wrongDiffID: 0)
        let snapshots = try SnapshotStore(root: scratch.path + "/snapshots", snapshotter: kind)
        let error = #expect(throws: SnapshotError.self) { try snapshots.unpack(image, from: store) }
        #expect(error?.code == "diffid-mismatch")
        #expect(error?.message.contains(image.diffIDs[0].description) == true)
        #expect(error?.message.contains(image.manifest.layers[0].digest.description) == true)
        #expect(scratch.tree("snapshots/\(kind.rawValue)/layers").isEmpty)
        #expect(scratch.tree("snapshots/\(kind.rawValue)/tmp").isEmpty)
        #expect(try snapshots.pendingLayers(for: image).count == 1)
    }

    @Test func escapingLayerIsRefusedAndNothingWrittenOutside() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let outside = scratch.path + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let store = try ImageStore(root: scratch.path + "/store")
        let image = try makeImage(
            store, scratch: scratch, name: "berth.local/evil:1",
            layers: [
                [
                    LayerEntry(name: "evil", kind: .symlink, link: outside), .file("evil/pwned", "gotcha"),
                ]
            ])
        let snapshots = try SnapshotStore(root: scratch.path + "/snapshots", snapshotter: .overlayfs)
        let error = #expect(throws: SnapshotError.self) { try snapshots.unpack(image, from: store) }
        #expect((error?.underlying as? TarError)?.code == "archive-unsafe-path")
        #expect(scratch.tree("outside").isEmpty)
        #expect(scratch.tree("snapshots/overlayfs/layers").isEmpty)
    }

    @Test func leftoversOfACrashAreRemoved() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let store = try ImageStore(root: scratch.path + "/store")
        let image = try makeImage(
            store, scratch: scratch, name: "berth.local/one:1", layers: [Self.layers[0]],
            compression: .zstd)
        let snapshots = try SnapshotStore(root: scratch.path + "/snapshots", snapshotter: .overlayfs)
        let leftover = snapshots.directory + "/tmp/" + image.diffIDs[0].encoded + "-1/fs/etc"
        try FileManager.default.createDirectory(atPath: leftover, withIntermediateDirectories: true)
        #expect(try snapshots.pendingLayers(for: image).count == 1)
        #expect(try snapshots.unpack(image, from: store).count == 1)
        #expect(scratch.tree("snapshots/overlayfs/tmp").isEmpty)
        #expect(scratch.read("snapshots/overlayfs/layers/\(image.diffIDs[0].encoded)/fs/etc/a") == "a0")
    }

    @Test(arguments: [TarCompression.none, .gzip, .zstd])
    func everyLayerCompressionUnpacks(_ compression: TarCompression) throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let store = try ImageStore(root: scratch.path + "/store")
        let image = try makeImage(
            store, scratch: scratch, name: "berth.local/plain:1", layers: [Self.layers[0]],
            compression: compression)
        let snapshots = try SnapshotStore(root: scratch.path + "/snapshots", snapshotter: .overlayfs)
        #expect(try snapshots.unpack(image, from: store).count == 1)
        #expect(scratch.read("snapshots/overlayfs/layers/\(image.diffIDs[0].encoded)/fs/etc/a") == "a0")
    }
}
