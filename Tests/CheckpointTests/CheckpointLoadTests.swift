import Foundation
import ImageStore
import OCI
import Testing
@testable import Checkpoint

@Suite("Checkpoint load")
struct CheckpointLoadTests {
    struct BadCase: CustomTestStringConvertible, Sendable {
        var name: String
        var reference: String
        var code: String
        var words: String
        var testDescription: String { name }
    }

    static let badCases = [
        BadCase(name: "absent", reference: "example.com/none:1", code: "checkpoint-not-found", words: "not in the image store"),
        BadCase(name: "plain image", reference: "example.com/base:1", code: "not-a-checkpoint", words: "not an OCI image index"),
        BadCase(
            name: "index without rw or spec", reference: "example.com/multi:1", code: "not-a-checkpoint",
            words: "no rw layer and no spec"),
        BadCase(
            name: "no image name", reference: "example.com/nameless:1", code: "checkpoint-incomplete",
            words: "image name not found"),
    ]

    @Test("images that are not checkpoints are refused, naming what is missing", arguments: badCases)
    func loadErrors(_ bad: BadCase) throws {
        let fixture = try Fixture()
        let store = fixture.store
        let multi = ImageIndex(manifests: [fixture.base.manifestDescriptor])
        try store.setIndexReference(
            "example.com/multi:1",
            to: try store.storeBlob(
                try CanonicalJSON.encode(multi),
                mediaType: .ociIndex))
        let spec = try store.storeBlob(try CanonicalJSON.encode(fixture.spec), mediaType: .berthCheckpointSpec)
        let nameless = ImageIndex(manifests: [fixture.base.manifestDescriptor, spec])
        try store.setIndexReference(
            "example.com/nameless:1",
            to: try store.storeBlob(
                try CanonicalJSON.encode(nameless),
                mediaType: .ociIndex))
        let error = #expect(throws: CheckpointError.self) {
            try CheckpointImage.load(reference: bad.reference, store: store)
        }
        #expect(error?.code == bad.code)
        #expect(error?.message.contains(bad.words) == true, "\(error?.message ?? "")")
    }

    @Test("containerd's layout: the spec comes from the protobuf Any, the rest from the index")
    func containerdLayout() throws {
        let fixture = try Fixture()
        let store = fixture.store
        let written = try CheckpointWriter(store: store).write(
            fixture.request(.overlayUpper(try fixture.makeUpper())),
            tag: "example.com/berth:1")
        let rw = try #require(written.rwLayer)
        let json = try CanonicalJSON.encode(fixture.spec)
        let any = Self.field(1, Data("types.containerd.io/opencontainers/runtime-spec/1/Spec".utf8)) + Self.field(2, json)
        let config = try store.storeBlob(any, mediaType: .checkpointConfigProto)
        let criu = try store.storeBlob(Data(count: 1024), mediaType: .checkpointCriuTar)
        let options = try store.storeBlob(Data([0x08, 0x01]), mediaType: "application/vnd.containerd.container.checkpoint.options.v1+proto")
        var base = fixture.base.manifestDescriptor
        base.platform = Platform.host
        let index = ImageIndex(
            manifests: [base, rw, criu, config, options],
            annotations: [
                AnnotationKey.refName: "example.com/base:1",
                "io.containerd.checkpoint.runtime": "io.containerd.runc.v2",
                "io.containerd.checkpoint.snapshotter": "overlayfs",
            ])
        try store.setIndexReference(
            "example.com/ctr:1",
            to: try store.storeBlob(
                try CanonicalJSON.encode(index),
                mediaType: .ociIndex))
        let loaded = try CheckpointImage.load(reference: "example.com/ctr:1", store: store)
        #expect(loaded.spec == fixture.spec)
        #expect(loaded.runtime == "io.containerd.runc.v2")
        #expect(loaded.snapshotter == "overlayfs")
        #expect(loaded.baseReference == "example.com/base:1")
        #expect(loaded.baseManifest?.digest == fixture.base.digest)
        #expect(loaded.rwLayer == rw)
        #expect(loaded.criu?.digest == criu.digest)
    }

    @Test("a broken protobuf spec is reported as a corrupt checkpoint")
    func brokenProto() throws {
        let fixture = try Fixture()
        let store = fixture.store
        let config = try store.storeBlob(Data([0x12, 0x40, 0x7b]), mediaType: .checkpointConfigProto)
        let index = ImageIndex(
            manifests: [fixture.base.manifestDescriptor, config],
            annotations: [AnnotationKey.refName: "example.com/base:1"])
        try store.setIndexReference(
            "example.com/ctr:2",
            to: try store.storeBlob(
                try CanonicalJSON.encode(index),
                mediaType: .ociIndex))
        let error = #expect(throws: CheckpointError.self) {
            try CheckpointImage.load(reference: "example.com/ctr:2", store: store)
        }
        #expect(error?.code == "checkpoint-corrupt")
    }

    /// A length-delimited protobuf field.
    static func field(_ number: UInt8, _ bytes: Data) -> Data {
        var out = Data([number << 3 | 2])
        var length = bytes.count
        while length >= 0x80 {
            out.append(UInt8(length & 0x7f) | 0x80)
            length >>= 7
        }
        out.append(UInt8(length))
        return out + bytes
    }
}

@Suite("Checkpoint base image")
struct CheckpointBaseTests {
    @Test("the base is the named image, or the checkpoint's own manifest when the name moved or is gone")
    func baseImage() throws {
        let fixture = try Fixture()
        let store = fixture.store
        let checkpoint = try CheckpointWriter(store: store).write(
            fixture.request(.overlayUpper(try fixture.makeUpper())),
            tag: "example.com/ckpt:base")
        #expect(try checkpoint.baseImage(in: store) == fixture.base)

        try fixture.scratch.file("other/x", "another image\n")
        _ = try store.importRootfs(directory: fixture.scratch.path + "/other", reference: "example.com/base:1")
        let moved = try checkpoint.baseImage(in: store)
        #expect(moved.digest == fixture.base.digest)
        #expect(moved.reference == "example.com/base:1")
        #expect(moved.diffIDs == fixture.base.diffIDs)

        try store.remove(reference: "example.com/base:1")
        #expect(try checkpoint.baseImage(in: store).digest == fixture.base.digest)
    }

    @Test("a checkpoint whose base manifest is absent says which image to import")
    func missingBase() throws {
        let fixture = try Fixture()
        let store = fixture.store
        let spec = try store.storeBlob(try CanonicalJSON.encode(fixture.spec), mediaType: .berthCheckpointSpec)
        let index = ImageIndex(manifests: [spec], annotations: [AnnotationKey.refName: "example.com/elsewhere:2"])
        try store.setIndexReference(
            "example.com/ckpt:orphan",
            to: try store.storeBlob(
                try CanonicalJSON.encode(index),
                mediaType: .ociIndex))
        let checkpoint = try CheckpointImage.load(reference: "example.com/ckpt:orphan", store: store)
        let error = #expect(throws: CheckpointError.self) { try checkpoint.baseImage(in: store) }
        #expect(error?.code == "checkpoint-base-missing")
        #expect(error?.message.contains("example.com/elsewhere:2") == true)
    }
}
