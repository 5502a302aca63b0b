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
        let image = try makeImage(
            store, scratch: scratch, name: "berth.local/three:1", layers: SnapshotStoreTests.layers,
            wrongDiffID: 2)
        let snapshots = try SnapshotStore(root: scratch.path + "/snapshots", snapshotter: .overlayfs)
        let error = #expect(throws: SnapshotError.self) { try snapshots.unpack(image, from: store) }
        #expect(error?.code == "diffid-mismatch")
        #expect(error?.message.contains("layer 2") == true)
        #expect(try snapshots.pendingLayers(for: image).map(\.index) == [2])
        #expect(scratch.tree("snapshots/overlayfs/tmp").isEmpty)
    }

    @Test func impliedDirectoriesKeepTheLowerLayersAttributes() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let store = try ImageStore(root: scratch.path + "/store")
        let image = try makeImage(
            store, scratch: scratch, name: "berth.local/implied:1",
            layers: [
                [
                    LayerEntry(name: "tmp/", kind: .directory, mode: 0o1777),
                    LayerEntry(name: "opt/", kind: .directory, mode: 0o750, uid: 1000),
                ],
                [.file("tmp/x", "x"), .file("opt/y", "y"), .file("new/deep/z", "z")],
            ])
        let snapshots = try SnapshotStore(root: scratch.path + "/snapshots", snapshotter: .overlayfs)
        try snapshots.unpack(image, from: store)
        try snapshots.prepare(key: "c", image: image, rootfs: scratch.path + "/mnt")
        defer { try? snapshots.release(key: "c", rootfs: scratch.path + "/mnt", removeData: true) }
        struct Case { var path: String; var mode: mode_t; var uid: uid_t }
        for item in [
            Case(path: "tmp", mode: 0o1777, uid: 0), Case(path: "opt", mode: 0o750, uid: 1000),
            Case(path: "new", mode: 0o755, uid: 0), Case(path: "new/deep", mode: 0o755, uid: 0),
        ] {
            var st = stat()
            #expect(lstat(scratch.path + "/mnt/" + item.path, &st) == 0)
            #expect(st.st_mode & 0o7777 == item.mode, "\(item.path)")
            #expect(st.st_uid == item.uid, "\(item.path)")
        }
        #expect(scratch.read("mnt/tmp/x") == "x")
    }

    @Test(arguments: SnapshotterKind.allCases)
    func hardLinkToALowerLayerFile(_ kind: SnapshotterKind) throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let store = try ImageStore(root: scratch.path + "/store")
        let image = try makeImage(
            store, scratch: scratch, name: "berth.local/links:1",
            layers: [
                [.dir("bin/"), LayerEntry(name: "bin/busybox", data: "BB", mode: 0o755)],
                [
                    .dir("bin/"), LayerEntry(name: "bin/sh", kind: .hardlink, link: "bin/busybox"), .file("bin/local", "L"),
                    LayerEntry(name: "bin/local2", kind: .hardlink, link: "bin/local"),
                ],
            ])
        let snapshots = try SnapshotStore(root: scratch.path + "/snapshots", snapshotter: kind)
        try snapshots.unpack(image, from: store)
        try snapshots.prepare(key: "c", image: image, rootfs: scratch.path + "/mnt")
        defer { try? snapshots.release(key: "c", rootfs: scratch.path + "/mnt", removeData: true) }
        #expect(scratch.read("mnt/bin/sh") == "BB")
        var st = stat()
        #expect(lstat(scratch.path + "/mnt/bin/sh", &st) == 0 && st.st_mode & 0o777 == 0o755)
        var a = stat(), b = stat()
        #expect(lstat(scratch.path + "/mnt/bin/local", &a) == 0 && lstat(scratch.path + "/mnt/bin/local2", &b) == 0)
        #expect(a.st_ino == b.st_ino)
    }

    @Test func hardLinkToNothingIsNamed() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let store = try ImageStore(root: scratch.path + "/store")
        let image = try makeImage(
            store, scratch: scratch, name: "berth.local/links:2",
            layers: [
                [.dir("bin/")], [LayerEntry(name: "bin/sh", kind: .hardlink, link: "bin/missing")],
            ])
        let snapshots = try SnapshotStore(root: scratch.path + "/snapshots", snapshotter: .overlayfs)
        let error = #expect(throws: SnapshotError.self) { try snapshots.unpack(image, from: store) }
        #expect(error?.message.contains("bin/missing") == true)
        #expect(try snapshots.pendingLayers(for: image).map(\.index) == [1])
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
