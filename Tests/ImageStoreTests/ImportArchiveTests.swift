import Foundation
import OCI
import TarArchive
import Testing
@testable import ImageStore

@Suite struct ImportArchiveTests {
    /// A store holding `berth.local/busybox:demo` made from a small rootfs.
    func sourceStore(_ dir: Scratch) throws -> (ImageStore, ResolvedImage) {
        try dir.makeRootfs("rootfs")
        let store = try ImageStore(root: dir.path + "/source")
        let image = try store.importRootfs(directory: dir.path + "/rootfs", reference: "berth.local/busybox:demo")
        return (store, image)
    }

    @Test func exportedArchiveImportsIntoAnotherStore() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let (source, image) = try sourceStore(dir)
        try source.export(reference: "berth.local/busybox:demo", to: dir.path + "/a.tar")
        try source.export(reference: "berth.local/busybox:demo", to: dir.path + "/b.tar")
        #expect(FileManager.default.contents(atPath: dir.path + "/a.tar") == FileManager.default.contents(atPath: dir.path + "/b.tar"))
        let target = try ImageStore(root: dir.path + "/target")
        let imported = try target.importArchive(path: dir.path + "/a.tar")
        #expect(imported.map(\.reference) == ["berth.local/busybox:demo"])
        #expect(imported.first?.digest == image.digest)
        #expect(try target.resolve("berth.local/busybox:demo") == imported.first)
        let (status, _) = try dir.run("/usr/bin/skopeo", ["inspect", "oci-archive:\(dir.path)/a.tar"])
        #expect(status == 0)
    }

    @Test func ociLayoutDirectoryKeepsContainerdNames() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let (_, image) = try sourceStore(dir)
        let target = try ImageStore(root: dir.path + "/target")
        let imported = try target.importArchive(path: dir.path + "/source", name: "ignored.example/base")
        #expect(imported.map(\.reference) == ["berth.local/busybox:demo"])
        #expect(imported.first?.digest == image.digest)
        #expect(try target.list().map(\.reference) == ["berth.local/busybox:demo"])
    }

    @Test func tagOnlyRefNamesGetThePrefix() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let (_, image) = try sourceStore(dir)
        let (status, _) = try dir.run(
            "/usr/bin/skopeo",
            [
                "copy", "oci:\(dir.path)/source:berth.local/busybox:demo",
                "oci:\(dir.path)/plain:v1",
            ])
        try #require(status == 0)
        let target = try ImageStore(root: dir.path + "/target")
        let named = try target.importArchive(path: dir.path + "/plain", name: "berth.local/imp")
        #expect(named.map(\.reference) == ["berth.local/imp:v1"])
        #expect(named.first?.diffIDs == image.diffIDs)
        let dated = try target.importArchive(path: dir.path + "/plain")
        #expect(dated.map(\.reference) == ["docker.io/library/import-\(ImageStore.today()):v1"])
    }

    @Test func dockerArchiveFromSkopeo() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let (_, image) = try sourceStore(dir)
        let (status, _) = try dir.run(
            "/usr/bin/skopeo",
            [
                "copy", "oci:\(dir.path)/source:berth.local/busybox:demo",
                "docker-archive:\(dir.path)/d.tar:alpine:saved",
            ])
        try #require(status == 0)
        let target = try ImageStore(root: dir.path + "/target")
        let imported = try target.importArchive(path: dir.path + "/d.tar")
        let first = try #require(imported.first)
        #expect(first.reference == "docker.io/library/alpine:saved")
        #expect(first.manifestDescriptor.mediaType == .dockerManifest)
        #expect(first.diffIDs == image.diffIDs)
        #expect(first.manifest.layers.count == 1)
        // skopeo stores the layer uncompressed, so the blob digest is the diff_id.
        #expect(first.manifest.layers.first?.mediaType == .dockerLayer)
        #expect(first.manifest.layers.first?.digest == image.diffIDs.first)
    }

    @Test func classicDockerSaveWithSymlinkedLayer() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let layerPath = dir.path + "/layer.tar"
        let layer = try TarWriter(path: layerPath)
        try layer.add("hello", kind: .regular, data: Data("hi\n".utf8))
        let diffID = try layer.finish()
        let config =
            #"{"architecture":"\#(Platform.host.architecture)","os":"linux","rootfs":{"type":"layers","diff_ids":["\#(diffID.digest)","\#(diffID.digest)"]}}"#
        let configHex = FileSystem.sha256Hex(Data(config.utf8))
        let manifest = #"[{"Config":"\#(configHex).json","RepoTags":["demo/app:1","demo/app:2"],"Layers":["aaa/layer.tar","bbb/layer.tar"]}]"#
        let archive = try TarWriter(path: dir.path + "/save.tar")
        try archive.add("aaa/", kind: .directory, mode: 0o755)
        try archive.addFile("aaa/layer.tar", from: layerPath)
        try archive.add("bbb/", kind: .directory, mode: 0o755)
        try archive.add("bbb/layer.tar", kind: .symlink, link: "../aaa/layer.tar")
        try archive.add("\(configHex).json", kind: .regular, data: Data(config.utf8))
        try archive.add("manifest.json", kind: .regular, data: Data(manifest.utf8))
        try archive.finish()
        let store = try ImageStore(root: dir.path + "/store")
        let imported = try store.importArchive(path: dir.path + "/save.tar")
        #expect(imported.map(\.reference) == ["docker.io/demo/app:1", "docker.io/demo/app:2"])
        #expect(imported[0].manifest.layers.map(\.digest.description) == [diffID.digest, diffID.digest])
        #expect(imported[0].manifest.config.digest.encoded == configHex)
    }

    /// Docker 25+ `docker save`: an OCI layout plus manifest.json pointing into blobs/; the layout wins.
    @Test func dockerSaveWithOCILayout() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let (source, image) = try sourceStore(dir)
        let path = dir.path + "/docker25.tar"
        let writer = try TarWriter(path: path)
        for digest in [image.digest, image.manifest.config.digest, image.manifest.layers[0].digest] {
            try writer.addFile("blobs/sha256/" + digest.encoded, from: source.blobPath(digest))
        }
        let index = ImageIndex(manifests: [
            Descriptor(
                mediaType: .ociManifest, digest: image.digest, size: image.manifestDescriptor.size,
                annotations: [
                    AnnotationKey.containerdImageName: "docker.io/library/busybox:latest",
                    AnnotationKey.refName: "latest",
                ])
        ])
        try writer.add("index.json", kind: .regular, data: try CanonicalJSON.encode(index))
        let manifest =
            #"[{"Config":"blobs/sha256/\#(image.manifest.config.digest.encoded)","RepoTags":["other:tag"],"Layers":["blobs/sha256/\#(image.manifest.layers[0].digest.encoded)"]}]"#
        try writer.add("manifest.json", kind: .regular, data: Data(manifest.utf8))
        try writer.add("oci-layout", kind: .regular, data: Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
        try writer.finish()
        let target = try ImageStore(root: dir.path + "/target")
        let imported = try target.importArchive(path: path)
        #expect(imported.map(\.reference) == ["docker.io/library/busybox:latest"])
        #expect(imported.first?.digest == image.digest)
        #expect(try target.lookup("other:tag") == nil)
    }

    /// An OCI archive whose blob `victim` is replaced or dropped.
    func tamperedArchive(_ dir: Scratch, source: ImageStore, image: ResolvedImage, drop: Bool) throws -> String {
        let path = dir.path + "/tampered.tar"
        let writer = try TarWriter(path: path)
        let layer = image.manifest.layers[0].digest
        for digest in [image.digest, image.manifest.config.digest, layer] {
            if digest == layer {
                if !drop { try writer.add("blobs/sha256/" + digest.encoded, kind: .regular, data: Data("evil".utf8)) }
            } else {
                try writer.addFile("blobs/sha256/" + digest.encoded, from: source.blobPath(digest))
            }
        }
        try writer.addFile("index.json", from: source.root + "/index.json")
        try writer.addFile("oci-layout", from: source.root + "/oci-layout")
        try writer.finish()
        return path
    }

    @Test(arguments: [false, true])
    func badBlobImportsNothing(drop: Bool) throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let (source, image) = try sourceStore(dir)
        let path = try tamperedArchive(dir, source: source, image: image, drop: drop)
        let target = try ImageStore(root: dir.path + "/target")
        let error = #expect(throws: ImageStoreError.self) { try target.importArchive(path: path) }
        #expect(error?.code == (drop ? "blob-missing" : "blob-digest-mismatch"))
        #expect(error?.message.contains(image.manifest.layers[0].digest.encoded) == true)
        #expect(try target.list().isEmpty)
        #expect((try FileManager.default.contentsOfDirectory(atPath: target.root + "/blobs/sha256")).isEmpty)
        #expect((try FileManager.default.contentsOfDirectory(atPath: target.root + "/ingest")).isEmpty)
    }

    @Test func pruneRemovesOnlyUnreferencedBlobs() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let (store, image) = try sourceStore(dir)
        try dir.write("other/file", "other")
        let other = try store.importRootfs(directory: dir.path + "/other", reference: "berth.local/other:1")
        #expect(try store.prune().removed.isEmpty)
        try store.remove(reference: "berth.local/busybox:demo")
        let result = try store.prune()
        #expect(Set(result.removed) == [image.digest, image.manifest.config.digest, image.manifest.layers[0].digest])
        #expect(result.bytes > 0)
        #expect(try store.resolve("berth.local/other:1") == other)
    }
}
