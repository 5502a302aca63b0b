import Foundation
import ImageStore
import OCI
import TarArchive
import Testing
@testable import Checkpoint

@Suite("Checkpoint writer")
struct CheckpointWriterTests {
    @Test("an overlay upper dir becomes a sorted layer with .wh. entries and the opaque marker")
    func overlayUpperDiff() throws {
        let fixture = try Fixture()
        let upper = try fixture.makeUpper()
        let checkpoint = try CheckpointWriter(store: fixture.store).write(
            fixture.request(.overlayUpper(upper)),
            tag: "example.com/ckpt:1")
        let layer = try #require(checkpoint.rwLayer)
        #expect(layer.mediaType == .ociLayerGzip)
        let entries = try fixture.entries(layer)
        #expect(
            entries.map(\.path) == [
                ".wh.gone", "bin/", "bin/tool", "data/", "data/.wh..wh..opq", "data/new",
                "etc/", "etc/conf",
            ])
        let tool = try #require(entries.first { $0.path == "bin/tool" })
        #expect(tool.mode == 0o755)
        #expect(tool.kind == .regular)
        let whiteout = try #require(entries.first { $0.path == ".wh.gone" })
        #expect(whiteout.kind == .regular && whiteout.size == 0)
    }

    @Test("the same files give the same rw digest; a changed mtime gives another")
    func deterministicDigest() throws {
        let fixture = try Fixture()
        let first = try fixture.makeUpper("upper1")
        let second = try fixture.makeUpper("upper2")
        let writer = CheckpointWriter(store: fixture.store)
        let a = try writer.write(fixture.request(.overlayUpper(first)), tag: "example.com/ckpt:a")
        let b = try writer.write(fixture.request(.overlayUpper(second)), tag: "example.com/ckpt:b")
        #expect(a.rwLayer?.digest == b.rwLayer?.digest)
        #expect(a.digest == b.digest)
        try fixture.scratch.setTime("upper2/etc/conf", 1_800_000_000)
        let c = try writer.write(fixture.request(.overlayUpper(second)), tag: "example.com/ckpt:c")
        #expect(c.rwLayer?.digest != a.rwLayer?.digest)
    }

    @Test("write then load gives back every field; the index.json entry is named by the tag")
    func roundTrip() throws {
        let fixture = try Fixture()
        let upper = try fixture.makeUpper()
        try fixture.scratch.file("criu/inventory.img", "criu inventory")
        try fixture.scratch.file("criu/pages-1.img", "pages")
        let written = try CheckpointWriter(store: fixture.store).write(
            fixture.request(.overlayUpper(upper), criu: fixture.scratch.path + "/criu"), tag: "example.com/ckpt:rt")
        let loaded = try CheckpointImage.load(reference: "example.com/ckpt:rt", store: fixture.store)
        #expect(loaded == written)
        #expect(loaded.reference == "example.com/ckpt:rt")
        #expect(loaded.baseReference == "example.com/base:1")
        #expect(loaded.baseManifest?.digest == fixture.base.digest)
        #expect(loaded.runtime == "runc")
        #expect(loaded.snapshotter == "overlayfs")
        #expect(loaded.spec == fixture.spec)
        #expect(loaded.rwSize > 0 && loaded.rwSize == loaded.rwLayer?.size)
        #expect(loaded.hasProcessState)
        #expect(loaded.criu?.mediaType == .checkpointCriuTar)
        let entry = try #require(try fixture.store.entry(named: "example.com/ckpt:rt"))
        #expect(entry.digest == loaded.digest)
        #expect(entry.annotations?[AnnotationKey.refName] == "example.com/ckpt:rt")
        let index = try CanonicalJSON.decode(ImageIndex.self, from: try fixture.store.verifiedBlob(entry))
        #expect(index.schemaVersion == 2 && index.mediaType == .ociIndex)
        #expect(index.annotations?[AnnotationKey.refName] == "example.com/base:1")
        #expect(index.manifests.map(\.mediaType) == [.ociManifest, .berthCheckpointSpec, .ociLayerGzip, .checkpointCriuTar])

        try CheckpointRestorer.extractProcessImages(loaded, store: fixture.store, into: fixture.scratch.path + "/restored")
        #expect(fixture.scratch.read("restored/inventory.img") == "criu inventory")
        #expect(fixture.scratch.read("restored/pages-1.img") == "pages")
    }

    @Test("a native full copy is diffed against the base layer dir: changes, additions, deletions")
    func nativeDiff() throws {
        let fixture = try Fixture()
        let copy = try fixture.scratch.directory("copy")
        let cp = Process()
        cp.executableURL = URL(fileURLWithPath: "/bin/cp")
        cp.arguments = ["-a", fixture.scratch.path + "/base/.", copy]
        try cp.run()
        cp.waitUntilExit()
        #expect(cp.terminationStatus == 0)
        try fixture.scratch.file("copy/etc/conf", "changed\n", mtime: 1_700_000_500)
        try fixture.scratch.file("copy/added", "new\n")
        try FileManager.default.removeItem(atPath: copy + "/gone")
        try FileManager.default.removeItem(atPath: copy + "/data")
        let checkpoint = try CheckpointWriter(store: fixture.store).write(
            fixture.request(.fullCopy(copy, base: fixture.scratch.path + "/base")), tag: "example.com/ckpt:native")
        let entries = try fixture.entries(try #require(checkpoint.rwLayer))
        #expect(entries.map(\.path) == [".wh.data", ".wh.gone", "added", "etc/", "etc/conf"])
    }

    @Test("a missing writable layer directory is a clear error")
    func missingUpper() throws {
        let fixture = try Fixture()
        let error = #expect(throws: CheckpointError.self) {
            try CheckpointWriter(store: fixture.store).write(
                fixture.request(.overlayUpper("/nonexistent/upper")),
                tag: "example.com/ckpt:x")
        }
        #expect(error?.code == "rw-source-missing")
        #expect(error?.message.contains("/nonexistent/upper") == true)
    }
}
