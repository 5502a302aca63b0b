import Foundation
import ImageStore
import OCI
import Testing
@testable import Registry

/// Pulls from a real docker-registry on loopback, fed by skopeo from layouts the ImageStore wrote.
@Suite(.serialized)
struct PullTests {
    @Test func pullsSameManifestAndConfigAndSkipsPresentBlobs() throws {
        let temp = try TempDirectory()
        let registry = try RegistryServer(directory: temp.path + "/registry")
        defer { registry.stop() }
        let source = try Fixtures.image(
            layout: temp.path + "/layout", reference: "fixture:v1",
            files: ["etc/hello": "hello from the registry\n"])
        try registry.push(layout: temp.path + "/layout", refName: "docker.io/library/fixture:v1", to: "team/app:v1")
        let store = try ImageStore(root: temp.path + "/store")
        let client = RegistryClient(options: Fixtures.options(stateRoot: temp.path + "/state"))
        let reference = "\(registry.address)/team/app:v1"

        let remote = try client.resolve(reference, store: store)
        #expect(remote.digest == source.digest)
        #expect(remote.missingBlobs.map(\.digest) == [source.manifest.config.digest] + source.manifest.layers.map(\.digest))
        #expect(remote.missingBytes == source.manifest.config.size + source.manifest.layers[0].size)

        let log = ProgressLog()
        let pulled = try client.pull(reference, into: store, progress: { log.append($0) })
        #expect(pulled.digest == source.digest)
        #expect(pulled.config == source.config)
        #expect(pulled.reference == reference)
        #expect(log.states(of: source.manifest.layers[0].digest).last == .done)
        #expect(log.all.last?.overallCompletedBytes == remote.missingBytes)
        for blob in [source.manifest.config] + source.manifest.layers {
            #expect(store.hasBlob(blob.digest))
        }
        #expect(try store.resolve(reference).digest == source.digest)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root + "/ingest").isEmpty)

        #expect(try client.resolve(reference, store: store).missingBlobs.isEmpty)
        let again = ProgressLog()
        let repeated = try client.pull(reference, into: store, progress: { again.append($0) })
        #expect(repeated.digest == source.digest)
        #expect(Set(again.all.map(\.state)) == [.present])

        let byDigest = try client.pull("\(registry.address)/team/app@\(source.digest)", into: store)
        #expect(byDigest.digest == source.digest)
        #expect(byDigest.reference == "\(registry.address)/team/app@\(source.digest)")
    }

    @Test func indexPullChoosesPlatformAndListsOffered() async throws {
        let temp = try TempDirectory()
        let registry = try RegistryServer(directory: temp.path + "/registry")
        defer { registry.stop() }
        let layout = temp.path + "/layout"
        let host = try Fixtures.image(layout: layout, reference: "fixture:host", files: ["etc/os": "host\n"])
        let other = Platform(architecture: "riscv64", os: "linux")
        let index = try Fixtures.multiPlatformIndex(layout: layout, host: host, other: other, reference: "multi:v1")
        try registry.push(layout: layout, refName: "docker.io/library/multi:v1", to: "multi:v1", all: true)
        let client = RegistryClient(options: Fixtures.options(stateRoot: temp.path + "/state"))
        let reference = "\(registry.address)/multi:v1"

        let store = try ImageStore(root: temp.path + "/store")
        let pulled = try await client.pullAsync(reference, into: store)
        #expect(pulled.indexDescriptor.digest == index.digest)
        #expect(pulled.digest == host.digest)
        #expect(pulled.config == host.config)

        let riscv = try await client.pullAsync(
            reference, into: try ImageStore(root: temp.path + "/store2"),
            platform: other)
        #expect(riscv.config.architecture == "riscv64")
        #expect(riscv.manifest.layers == host.manifest.layers)

        let wanted = Platform(architecture: "mips64le", os: "linux")
        let error = await #expect(throws: RegistryError.self) {
            try await client.pullAsync(reference, into: store, platform: wanted)
        }
        #expect(error?.code == "platform-not-found")
        #expect(error?.message.contains("linux/riscv64") == true)
        #expect(error?.message.contains(Platform.host.description) == true)
        #expect(error?.message.contains("linux/mips64le") == true)

        try registry.push(layout: layout, refName: "docker.io/library/fixture:host", to: "single:v1")
        let single = await #expect(throws: RegistryError.self) {
            try await client.pullAsync(
                "\(registry.address)/single:v1", into: try ImageStore(root: temp.path + "/store3"),
                platform: other)
        }
        #expect(single?.code == "platform-not-found")
        #expect(single?.message.contains("offered: \(Platform.host)") == true)
    }

    @Test func unknownTagNamesTheReference() async throws {
        let temp = try TempDirectory()
        let registry = try RegistryServer(directory: temp.path + "/registry")
        defer { registry.stop() }
        try Fixtures.image(layout: temp.path + "/layout", reference: "fixture:v1", files: ["etc/a": "a\n"])
        try registry.push(layout: temp.path + "/layout", refName: "docker.io/library/fixture:v1", to: "app:v1")
        let client = RegistryClient(options: Fixtures.options(stateRoot: temp.path + "/state"))
        let store = try ImageStore(root: temp.path + "/store")
        let error = await #expect(throws: RegistryError.self) {
            try await client.pullAsync("\(registry.address)/app:missing", into: store)
        }
        #expect(error?.code == "manifest-unknown")
        #expect(error?.message.contains("\(registry.address)/app:missing") == true)
        #expect(try store.list().isEmpty)
    }

    @Test func tamperedBlobIsRefusedAndNeverStored() async throws {
        let temp = try TempDirectory()
        let registry = try RegistryServer(directory: temp.path + "/registry")
        defer { registry.stop() }
        let source = try Fixtures.image(
            layout: temp.path + "/layout", reference: "fixture:v1",
            files: ["etc/a": "original content\n"])
        try registry.push(layout: temp.path + "/layout", refName: "docker.io/library/fixture:v1", to: "app:v1")
        let layer = try #require(source.manifest.layers.first)
        let dataPath = registry.blobDataPath(hex: layer.digest.encoded)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: dataPath))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: dataPath))

        let client = RegistryClient(options: Fixtures.options(stateRoot: temp.path + "/state"))
        let store = try ImageStore(root: temp.path + "/store")
        let error = await #expect(throws: RegistryError.self) {
            try await client.pullAsync("\(registry.address)/app:v1", into: store)
        }
        #expect(error?.code == "blob-digest-mismatch")
        #expect(error?.message.contains(layer.digest.description) == true)
        #expect(!store.hasBlob(layer.digest))
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root + "/ingest").isEmpty)
        #expect(try store.list().isEmpty)
    }

    @Test func interruptedPullResumesFromVerifiedBlobs() async throws {
        let temp = try TempDirectory()
        let registry = try RegistryServer(directory: temp.path + "/registry")
        defer { registry.stop() }
        let source = try Fixtures.image(
            layout: temp.path + "/layout", reference: "fixture:big",
            files: ["etc/a": "a\n"], bigBytes: 48 << 20)
        try registry.push(layout: temp.path + "/layout", refName: "docker.io/library/fixture:big", to: "big:v1")
        let layer = try #require(source.manifest.layers.first)
        let client = RegistryClient(options: Fixtures.options(stateRoot: temp.path + "/state", attempts: 2))
        let store = try ImageStore(root: temp.path + "/store")
        let reference = "\(registry.address)/big:v1"

        let killer = RegistryKiller(registry)
        let error = await #expect(throws: RegistryError.self) {
            try await client.pullAsync(
                reference, into: store,
                progress: { event in
                    if event.digest == layer.digest, event.state == .downloading { killer.killOnce() }
                })
        }
        #expect(error?.code == "registry-unreachable" || error?.code == "blob-truncated")
        #expect(store.hasBlob(source.manifest.config.digest))
        #expect(!store.hasBlob(layer.digest))
        // Only the layer's partial file stays in ingest/, and it is no blob.
        let partial = store.partialIngestPath(for: layer.digest)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: store.root + "/ingest")
                == [(partial as NSString).lastPathComponent])
        let kept = try #require(try FileManager.default.attributesOfItem(atPath: partial)[.size] as? NSNumber).int64Value
        #expect(kept > 0)
        #expect(try store.list().isEmpty)

        try registry.start()
        let log = ProgressLog()
        let pulled = try await client.pullAsync(reference, into: store, progress: { log.append($0) })
        #expect(pulled.digest == source.digest)
        #expect(log.states(of: source.manifest.config.digest) == [.present])
        // docker-registry honours the Range: the first report of the layer starts from the kept bytes.
        #expect(log.all.first { $0.digest == layer.digest }?.completedBytes == kept)
        #expect(log.states(of: layer.digest).last == .done)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root + "/ingest").isEmpty)
    }
}

extension PullTests {
    @Test func pullsDockerSchema2Manifests() async throws {
        let temp = try TempDirectory()
        let registry = try RegistryServer(directory: temp.path + "/registry")
        defer { registry.stop() }
        let source = try Fixtures.image(layout: temp.path + "/layout", reference: "fixture:v1", files: ["etc/d": "d\n"])
        try registry.push(
            layout: temp.path + "/layout", refName: "docker.io/library/fixture:v1", to: "docker:v1",
            dockerFormat: true)
        let client = RegistryClient(options: Fixtures.options(stateRoot: temp.path + "/state"))
        let store = try ImageStore(root: temp.path + "/store")
        let pulled = try await client.pullAsync("\(registry.address)/docker:v1", into: store)
        #expect(pulled.manifestDescriptor.mediaType == .dockerManifest)
        #expect(pulled.manifest.mediaType == .dockerManifest)
        #expect(pulled.manifest.config.mediaType == .dockerConfig)
        #expect(pulled.manifest.layers.map(\.mediaType) == [.dockerLayerGzip])
        #expect(pulled.manifest.layers.map(\.digest) == source.manifest.layers.map(\.digest))
        #expect(pulled.config.rootfs == source.config.rootfs)
        #expect(pulled.config.config == source.config.config)
        #expect(try store.resolve("\(registry.address)/docker:v1").digest == pulled.digest)
    }

    @Test func retriesUntilTheRegistryIsBack() async throws {
        let temp = try TempDirectory()
        let registry = try RegistryServer(directory: temp.path + "/registry")
        defer { registry.stop() }
        let source = try Fixtures.image(layout: temp.path + "/layout", reference: "fixture:v1", files: ["etc/a": "a\n"])
        try registry.push(layout: temp.path + "/layout", refName: "docker.io/library/fixture:v1", to: "app:v1")
        registry.stop()
        let options = RegistryOptions(
            stateRoot: temp.path + "/state", dockerConfigPath: nil, maxAttempts: 6,
            retryDelay: .milliseconds(200))
        let store = try ImageStore(root: temp.path + "/store")
        let reference = "\(registry.address)/app:v1"
        async let pulled = RegistryClient(options: options).pullAsync(reference, into: store)
        try await Task.sleep(for: .milliseconds(500))
        try registry.start()
        #expect(try await pulled.digest == source.digest)

        registry.stop()
        let failing = RegistryOptions(
            stateRoot: temp.path + "/state", dockerConfigPath: nil, maxAttempts: 2,
            retryDelay: .milliseconds(10))
        let error = await #expect(throws: RegistryError.self) {
            try await RegistryClient(options: failing).pullAsync(
                "\(registry.address)/app:v1",
                into: try ImageStore(root: temp.path + "/store2"))
        }
        #expect(error?.code == "registry-unreachable")
        #expect(error?.message.contains(registry.address) == true)
    }
}

extension PullTests {
    @Test func waitsAsTheRegistryAsksOn503() async throws {
        let temp = try TempDirectory()
        let server = try FlakyServer(directory: temp.path, failures: 2)
        defer { server.stop() }
        let store = try ImageStore(root: temp.path + "/store")
        let patient = RegistryClient(options: Fixtures.options(stateRoot: temp.path, attempts: 4))
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: RegistryError.self) {
            try await patient.pullAsync("\(server.address)/app:v1", into: store)
        }
        #expect(error?.code == "manifest-unknown")
        #expect(clock.now - start >= .seconds(2))

        let flaky = try FlakyServer(directory: temp.path, failures: 100)
        defer { flaky.stop() }
        let impatient = RegistryClient(options: Fixtures.options(stateRoot: temp.path, attempts: 2))
        let gaveUp = await #expect(throws: RegistryError.self) {
            try await impatient.pullAsync("\(flaky.address)/app:v1", into: store)
        }
        #expect(gaveUp?.code == "registry-http")
        #expect(gaveUp?.message.contains("503") == true)
    }
}

/// Kills the registry the first time a download reports progress (from whichever task gets there).
final class RegistryKiller: @unchecked Sendable {
    private let lock = NSLock()
    private var server: RegistryServer?

    init(_ server: RegistryServer) { self.server = server }

    func killOnce() {
        lock.lock()
        let target = server
        server = nil
        lock.unlock()
        target?.stop()
    }
}
