import Foundation
import OCI
import Testing
@testable import ImageStore

@Suite struct ImageStoreTests {
    @Test func newStoreIsAnOCILayout() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        _ = try ImageStore(root: dir.path + "/store")
        let layout = try String(contentsOfFile: dir.path + "/store/oci-layout", encoding: .utf8)
        #expect(layout == #"{"imageLayoutVersion":"1.0.0"}"#)
        let index = try String(contentsOfFile: dir.path + "/store/index.json", encoding: .utf8)
        #expect(index == #"{"manifests":[],"mediaType":"application/vnd.oci.image.index.v1+json","schemaVersion":2}"#)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/store/blobs/sha256"))
        #expect(FileManager.default.fileExists(atPath: dir.path + "/store/ingest"))
    }

    @Test func importingTheSameRootfsTwiceGivesTheSameDigests() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try dir.makeRootfs("rootfs")
        let first = try ImageStore(root: dir.path + "/one").importRootfs(
            directory: dir.path + "/rootfs",
            reference: "berth.local/busybox:demo")
        // Change only times between imports: the digests must not move.
        utimes(dir.path + "/rootfs/etc/hostname", nil)
        let second = try ImageStore(root: dir.path + "/two").importRootfs(
            directory: dir.path + "/rootfs",
            reference: "berth.local/busybox:demo")
        #expect(first.digest == second.digest)
        #expect(first.manifest.config.digest == second.manifest.config.digest)
        #expect(first.manifest.layers == second.manifest.layers)
        #expect(first.diffIDs == second.diffIDs)
        #expect(first.config.created == nil)
        #expect(first.manifest.layers.first?.mediaType == .ociLayerGzip)
        let indexOne = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/one/index.json"))
        let indexTwo = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/two/index.json"))
        #expect(indexOne == indexTwo)
        // A changed file changes the layer.
        try dir.write("rootfs/etc/hostname", "other\n")
        let third = try ImageStore(root: dir.path + "/one").importRootfs(
            directory: dir.path + "/rootfs",
            reference: "berth.local/busybox:demo")
        #expect(third.diffIDs != first.diffIDs)
    }

    @Test func resolveFindsImportedImageAndNamesMissingOnes() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try dir.makeRootfs("rootfs")
        let store = try ImageStore(root: dir.path + "/store")
        let imported = try store.importRootfs(directory: dir.path + "/rootfs", reference: "busybox")
        #expect(imported.reference == "docker.io/library/busybox:latest")
        let resolved = try store.resolve("docker.io/library/busybox")
        #expect(resolved == imported)
        #expect(resolved.indexDescriptor.annotations?[AnnotationKey.refName] == "docker.io/library/busybox:latest")
        #expect(resolved.indexDescriptor.annotations?[AnnotationKey.containerdImageName] == "docker.io/library/busybox:latest")
        #expect(try store.resolve("busybox@" + imported.digest.description).digest == imported.digest)
        #expect(try store.lookup("alpine") == nil)
        let error = #expect(throws: ImageStoreError.self) { try store.resolve("alpine:3") }
        #expect(error?.code == "image-not-found")
        #expect(error?.message.contains("docker.io/library/alpine:3") == true)
        #expect(error?.message.contains("berth image import --rootfs DIR --tag") == true)
        let other = Platform(architecture: "riscv64", os: "linux")
        let platformError = #expect(throws: ImageStoreError.self) { try store.resolve("busybox", platform: other) }
        #expect(platformError?.code == "platform-not-found")
    }

    /// Lookups are kept for the process, but never past a change of the store: a retag, a removal or another
    /// store object's write (another process) is seen by the next lookup.
    @Test func aKeptLookupFollowsEveryChangeOfTheIndex() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try dir.makeRootfs("rootfs")
        let store = try ImageStore(root: dir.path + "/store")
        #expect(try store.lookup("berth.local/app:1") == nil)
        let first = try store.importRootfs(directory: dir.path + "/rootfs", reference: "berth.local/app:1")
        #expect(try store.lookup("berth.local/app:1")?.digest == first.digest)
        // The same name given to another image by a second store object on the same layout.
        try dir.write("rootfs/etc/hostname", "changed\n")
        let second = try ImageStore(root: dir.path + "/store").importRootfs(
            directory: dir.path + "/rootfs", reference: "berth.local/app:1")
        #expect(second.digest != first.digest)
        #expect(try store.lookup("berth.local/app:1")?.digest == second.digest)
        try store.remove(reference: "berth.local/app:1")
        #expect(try store.lookup("berth.local/app:1") == nil)
    }

    @Test func listTagRemove() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try dir.makeRootfs("rootfs")
        let store = try ImageStore(root: dir.path + "/store")
        let image = try store.importRootfs(directory: dir.path + "/rootfs", reference: "berth.local/a:1")
        try store.tag(source: "berth.local/a:1", target: "berth.local/b:2")
        let records = try store.list()
        #expect(records.map(\.reference) == ["berth.local/a:1", "berth.local/b:2"])
        #expect(records.allSatisfy { $0.digest == image.digest && $0.platforms == [Platform.host] })
        let expectedSize = image.manifestDescriptor.size + image.manifest.config.size + image.manifest.layers[0].size
        #expect(records[0].size == expectedSize)
        try store.remove(reference: "berth.local/a:1")
        #expect(try store.list().map(\.reference) == ["berth.local/b:2"])
        let error = #expect(throws: ImageStoreError.self) { try store.remove(reference: "berth.local/a:1") }
        #expect(error?.code == "image-not-found")
        #expect(store.hasBlob(image.manifest.layers[0].digest))
    }

    @Test func ingestRejectsContentThatDoesNotMatchItsDigest() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        let store = try ImageStore(root: dir.path + "/store")
        let temp = store.newIngestPath()
        try Data("hello".utf8).write(to: URL(fileURLWithPath: temp))
        let claimed = try Digest(parsing: "sha256:" + String(repeating: "b", count: 64))
        let error = #expect(throws: ImageStoreError.self) { try store.commitIngest(temp, digest: claimed, size: 5) }
        #expect(error?.code == "blob-digest-mismatch")
        #expect(error?.message.contains(claimed.description) == true)
        #expect(!store.hasBlob(claimed))
        #expect(!FileManager.default.fileExists(atPath: temp))
    }

    @Test func skopeoReadsTheStore() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try dir.makeRootfs("rootfs")
        let store = try ImageStore(root: dir.path + "/store")
        let image = try store.importRootfs(directory: dir.path + "/rootfs", reference: "berth.local/busybox:demo")
        let (status, output) = try dir.run(
            "/usr/bin/skopeo",
            ["inspect", "oci:\(dir.path)/store:berth.local/busybox:demo"])
        #expect(status == 0)
        struct Inspect: Decodable {
            var Digest: String
            var Layers: [String]
            var Architecture: String
        }
        let decoded = try JSONDecoder().decode(Inspect.self, from: Data(output.utf8))
        #expect(decoded.Digest == image.digest.description)
        #expect(decoded.Layers == image.manifest.layers.map(\.digest.description))
        #expect(decoded.Architecture == Platform.host.architecture)
    }
}

@Suite struct PlatformIndexTests {
    @Test func indexEntryChoosesThePlatformManifest() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try dir.makeRootfs("rootfs")
        let store = try ImageStore(root: dir.path + "/store")
        let host = try store.importRootfs(directory: dir.path + "/rootfs", reference: "berth.local/host:1")
        // A second manifest that claims another architecture.
        var foreignConfig = host.config
        foreignConfig.architecture = "s390x"
        let configDescriptor = try store.writeBlob(try CanonicalJSON.encode(foreignConfig), mediaType: .ociConfig)
        let foreign = ImageManifest(config: configDescriptor, layers: host.manifest.layers)
        var foreignDescriptor = try store.writeBlob(try CanonicalJSON.encode(foreign), mediaType: .ociManifest)
        foreignDescriptor.platform = Platform(architecture: "s390x", os: "linux")
        var hostDescriptor = host.manifestDescriptor
        hostDescriptor.platform = .host
        let index = ImageIndex(manifests: [foreignDescriptor, hostDescriptor])
        let indexDescriptor = try store.writeBlob(try CanonicalJSON.encode(index), mediaType: .ociIndex)
        try store.withLock { try store.setReference("berth.local/multi:1", to: indexDescriptor, platform: nil) }

        let resolved = try store.resolve("berth.local/multi:1")
        #expect(resolved.digest == host.digest)
        #expect(resolved.indexDescriptor.digest == indexDescriptor.digest)
        let s390 = try store.resolve("berth.local/multi:1", platform: Platform(architecture: "s390x", os: "linux"))
        #expect(s390.config.architecture == "s390x")
        let error = #expect(throws: ImageStoreError.self) {
            try store.resolve("berth.local/multi:1", platform: Platform(architecture: "riscv64", os: "linux"))
        }
        #expect(error?.code == "platform-not-found")
        #expect(error?.message.contains("linux/s390x, \(Platform.host)") == true)
        let record = try #require(try store.list().first { $0.reference == "berth.local/multi:1" })
        #expect(record.platforms.count == 2)
    }
}

@Suite struct ConcurrentStoreTests {
    /// Index updates from several threads at once must not lose each other (one flock per change).
    @Test func concurrentImportsKeepEveryName() async throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try dir.makeRootfs("rootfs")
        let root = dir.path + "/store"
        let rootfs = dir.path + "/rootfs"
        _ = try ImageStore(root: root)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<6 {
                group.addTask {
                    let store = try ImageStore(root: root)
                    _ = try store.importRootfs(directory: rootfs, reference: "berth.local/c:\(i)")
                }
            }
            try await group.waitForAll()
        }
        let names = try ImageStore(root: root).list().map(\.reference)
        #expect(names == (0..<6).map { "berth.local/c:\($0)" })
    }
}
