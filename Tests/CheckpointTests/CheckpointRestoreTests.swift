import Foundation
import ImageStore
import OCI
import Testing
@testable import Checkpoint

@Suite("Checkpoint restore")
struct CheckpointRestoreTests {
    @Test("applyRW onto a mounted overlay writes files and turns whiteouts into deletions")
    func applyOntoOverlay() throws {
        let fixture = try Fixture()
        let checkpoint = try CheckpointWriter(store: fixture.store).write(
            fixture.request(.overlayUpper(try fixture.makeUpper())), tag: "example.com/ckpt:apply")
        let scratch = fixture.scratch
        for dir in ["upper2", "work2", "merged"] { _ = try scratch.directory(dir) }
        try scratch.mountOverlay(lower: "base", upper: "upper2", work: "work2", at: "merged")
        #expect(scratch.exists("merged/gone"))

        let stream = try CheckpointRestorer.applyRW(checkpoint, store: fixture.store, into: scratch.path + "/merged")
        #expect(stream.digest == checkpoint.rwLayer?.annotations?[CheckpointAnnotation.uncompressed])
        #expect(scratch.read("merged/etc/conf") == "changed\n")
        #expect(scratch.read("merged/bin/tool") == "#!/bin/sh\n")
        #expect(scratch.read("merged/data/new") == "fresh\n")
        #expect(scratch.read("merged/keep") == "kept\n")
        #expect(!scratch.exists("merged/gone"))
        #expect(!scratch.exists("merged/data/old"))
        var st = stat()
        #expect(lstat(scratch.path + "/upper2/gone", &st) == 0 && st.st_mode & S_IFMT == S_IFCHR && st.st_rdev == 0)
    }

    @Test("a corrupted rw blob is refused before anything is written")
    func corruptBlob() throws {
        let fixture = try Fixture()
        let checkpoint = try CheckpointWriter(store: fixture.store).write(
            fixture.request(.overlayUpper(try fixture.makeUpper())), tag: "example.com/ckpt:bad")
        let layer = try #require(checkpoint.rwLayer)
        let path = fixture.store.blobPath(layer.digest)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("junk".utf8))
        try handle.close()
        let target = try fixture.scratch.directory("target")
        let error = #expect(throws: ImageStoreError.self) {
            try CheckpointRestorer.applyRW(checkpoint, store: fixture.store, into: target)
        }
        #expect(error?.code == "blob-corrupt")
        #expect(try FileManager.default.contentsOfDirectory(atPath: target).isEmpty)
    }

    @Test("a filesystem-only checkpoint has no process images to extract")
    func noProcessState() throws {
        let fixture = try Fixture()
        let checkpoint = try CheckpointWriter(store: fixture.store).write(
            fixture.request(.overlayUpper(try fixture.makeUpper())), tag: "example.com/ckpt:fs")
        #expect(!checkpoint.hasProcessState)
        let error = #expect(throws: CheckpointError.self) {
            try CheckpointRestorer.extractProcessImages(checkpoint, store: fixture.store, into: fixture.scratch.path + "/x")
        }
        #expect(error?.code == "checkpoint-no-process")
    }

    @Test("export to an OCI archive and import into another store keeps the checkpoint")
    func exportImport() throws {
        let fixture = try Fixture()
        let written = try CheckpointWriter(store: fixture.store).write(
            fixture.request(.overlayUpper(try fixture.makeUpper()), criu: nil), tag: "example.com/ckpt:move")
        let archive = fixture.scratch.path + "/ckpt.tar"
        try fixture.store.export(reference: "example.com/ckpt:move", to: archive)
        let other = try ImageStore(root: try fixture.scratch.directory("other"))
        _ = try other.importArchive(path: archive)
        let loaded = try CheckpointImage.load(reference: "example.com/ckpt:move", store: other)
        #expect(loaded.digest == written.digest)
        #expect(loaded.spec == fixture.spec)
        #expect(loaded.baseManifest == written.baseManifest)
        #expect(try other.lookup("example.com/base:1") == nil)
        #expect(try loaded.baseImage(in: other).diffIDs == fixture.base.diffIDs)
        let target = try fixture.scratch.directory("target")
        try CheckpointRestorer.applyRW(loaded, store: other, into: target)
        #expect(fixture.scratch.read("target/etc/conf") == "changed\n")
    }
}
