import Foundation
import ImageStore
import OCI
import Testing
@testable import Snapshots

@Suite struct ImportedImageTests {
    /// A rootfs import and a docker-archive round trip through skopeo both unpack and mount.
    @Test(arguments: SnapshotterKind.allCases)
    func importedImagesUnpackAndMount(_ kind: SnapshotterKind) throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let rootfs = scratch.path + "/rootfs"
        try FileManager.default.createDirectory(atPath: rootfs + "/etc", withIntermediateDirectories: true)
        try Data("demo\n".utf8).write(to: URL(fileURLWithPath: rootfs + "/etc/hostname"))
        let store = try ImageStore(root: scratch.path + "/store")
        let image = try store.importRootfs(directory: rootfs, reference: "berth.local/demo:1")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/skopeo")
        process.arguments = ["copy", "oci:\(store.root):berth.local/demo:1", "docker-archive:\(scratch.path)/d.tar:demo:2"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let docker = try #require(try store.importArchive(path: scratch.path + "/d.tar").first)
        #expect(docker.manifest.layers[0].mediaType == .dockerLayer)

        let snapshots = try SnapshotStore(root: scratch.path + "/snapshots", snapshotter: kind)
        #expect(try snapshots.unpack(image, from: store).count == 1)
        // Same diff_ids, so the docker copy needs nothing new.
        #expect(try snapshots.pendingLayers(for: docker).isEmpty)
        try snapshots.prepare(key: "demo", image: docker, rootfs: scratch.path + "/mnt")
        #expect(scratch.read("mnt/etc/hostname") == "demo\n")
        try snapshots.release(key: "demo", rootfs: scratch.path + "/mnt", removeData: true)
        #expect(!snapshots.isPrepared(key: "demo"))
    }
}
