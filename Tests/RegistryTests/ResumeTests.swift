import Foundation
import ImageStore
import OCI
import Testing
@testable import Registry

/// Interrupted blob downloads continue with `Range: bytes=N-` from the partial ingest file, within one pull
/// (retry) and in a later one; registries ignoring ranges and corrupt partial files make it start over.
@Suite(.serialized)
struct ResumeTests {
    /// A layout with one image whose layer holds a few MiB of random bytes, and the layer's descriptor.
    static func source(_ temp: TempDirectory) throws -> (layout: String, image: ResolvedImage, layer: Descriptor) {
        let layout = temp.path + "/layout"
        let image = try Fixtures.image(
            layout: layout, reference: "fixture:v1", files: ["etc/r": "resume\n"],
            bigBytes: 3 << 20)
        return (layout, image, try #require(image.manifest.layers.first))
    }

    static func server(
        _ temp: TempDirectory, _ image: ResolvedImage, layout: String, cutting: Descriptor?,
        honourRange: Bool = true
    ) throws -> RangeServer {
        try RangeServer(
            directory: temp.path, layout: layout, tag: "v1", manifest: image.digest.description,
            mediaType: image.manifestDescriptor.mediaType.rawValue,
            cutting: cutting?.digest.description, honourRange: honourRange)
    }

    static func offset(_ range: String) -> Int64? {
        guard range.hasPrefix("bytes="), range.hasSuffix("-") else { return nil }
        return Int64(range.dropFirst(6).dropLast())
    }

    struct RetryCase: Sendable, CustomStringConvertible {
        var description: String
        var honourRange: Bool
    }

    static let retryCases = [
        RetryCase(description: "registry honours Range: the retry continues (206)", honourRange: true),
        RetryCase(description: "registry ignores Range: the retry starts over (200)", honourRange: false),
    ]

    @Test(arguments: retryCases)
    func cutBlobIsRetriedWithARange(_ c: RetryCase) async throws {
        let temp = try TempDirectory()
        let (layout, image, layer) = try Self.source(temp)
        let server = try Self.server(temp, image, layout: layout, cutting: layer, honourRange: c.honourRange)
        defer { server.stop() }
        let store = try ImageStore(root: temp.path + "/store")
        let client = RegistryClient(options: Fixtures.options(stateRoot: temp.path + "/state", attempts: 3))
        let log = ProgressLog()
        let pulled = try await client.pullAsync("\(server.address)/app:v1", into: store, progress: { log.append($0) })
        #expect(pulled.digest == image.digest)

        let ranges = server.ranges(for: layer.digest.description)
        #expect(ranges.count == 2)
        #expect(ranges.first == "-")
        let offset = try #require(ranges.last.flatMap(Self.offset))
        #expect(offset > 0 && offset < layer.size)
        #expect(store.hasBlob(layer.digest))
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root + "/ingest").isEmpty)
        #expect(log.states(of: layer.digest).last == .done)
        #expect(log.all.last?.overallCompletedBytes == image.manifest.config.size + layer.size)
    }

    @Test func laterPullResumesThePartialFile() async throws {
        let temp = try TempDirectory()
        let (layout, image, layer) = try Self.source(temp)
        let server = try Self.server(temp, image, layout: layout, cutting: layer)
        defer { server.stop() }
        let store = try ImageStore(root: temp.path + "/store")
        let client = RegistryClient(options: Fixtures.options(stateRoot: temp.path + "/state", attempts: 1))
        let reference = "\(server.address)/app:v1"

        let error = await #expect(throws: RegistryError.self) {
            try await client.pullAsync(reference, into: store)
        }
        #expect(error?.code == "registry-unreachable" || error?.code == "blob-truncated")
        let partial = store.partialIngestPath(for: layer.digest)
        let kept = try #require(try FileManager.default.attributesOfItem(atPath: partial)[.size] as? NSNumber).int64Value
        #expect(kept > 0 && kept < layer.size)
        #expect(!store.hasBlob(layer.digest))
        #expect(try store.list().isEmpty)

        let pulled = try await client.pullAsync(reference, into: store)
        #expect(pulled.digest == image.digest)
        #expect(server.ranges(for: layer.digest.description) == ["-", "bytes=\(kept)-"])
        #expect(store.hasBlob(layer.digest))
        #expect(!FileManager.default.fileExists(atPath: partial))
        #expect(try store.resolve(reference).digest == image.digest)
    }

    @Test func corruptPartialIsDiscardedAndFetchedAgain() async throws {
        let temp = try TempDirectory()
        let (layout, image, layer) = try Self.source(temp)
        let server = try Self.server(temp, image, layout: layout, cutting: nil)
        defer { server.stop() }
        let store = try ImageStore(root: temp.path + "/store")
        try Data(repeating: 0x5A, count: 1000).write(to: URL(fileURLWithPath: store.partialIngestPath(for: layer.digest)))
        let client = RegistryClient(options: Fixtures.options(stateRoot: temp.path + "/state", attempts: 1))

        let pulled = try await client.pullAsync("\(server.address)/app:v1", into: store)
        #expect(pulled.digest == image.digest)
        #expect(server.ranges(for: layer.digest.description) == ["bytes=1000-", "-"])
        #expect(store.hasBlob(layer.digest))
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root + "/ingest").isEmpty)
    }

    @Test func concurrentPullsOfOneBlobTakeTurns() async throws {
        let temp = try TempDirectory()
        let (layout, image, layer) = try Self.source(temp)
        let server = try Self.server(temp, image, layout: layout, cutting: nil)
        defer { server.stop() }
        let store = try ImageStore(root: temp.path + "/store")
        let client = RegistryClient(options: Fixtures.options(stateRoot: temp.path + "/state", attempts: 1))
        let reference = "\(server.address)/app:v1"

        let sameStore = try ImageStore(root: temp.path + "/store")
        async let first = client.pullAsync(reference, into: store)
        async let second = client.pullAsync(reference, into: sameStore)
        let digests = try await [first.digest, second.digest]
        #expect(digests == [image.digest, image.digest])
        #expect(store.hasBlob(layer.digest))
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root + "/ingest").isEmpty)
        // The second download of the layer, if any, came after the first finished: never from a partial file.
        #expect(server.ranges(for: layer.digest.description).allSatisfy { $0 == "-" })
    }

    @Test func rangeStartOfContentRange() {
        #expect(BlobDownloader.rangeStart("bytes 100-199/200") == 100)
        #expect(BlobDownloader.rangeStart("bytes */200") == nil)
        #expect(BlobDownloader.rangeStart(nil) == nil)
    }
}
