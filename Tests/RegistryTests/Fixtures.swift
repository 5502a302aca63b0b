import Foundation
import ImageStore
import OCI
import Testing
@testable import Registry

/// A temporary directory removed when the test ends.
final class TempDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "berth-registry-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Source images built with the ImageStore in an OCI layout that skopeo can push.
enum Fixtures {
    /// A one-layer image of a small directory (plus `bigBytes` of random data when asked), named `reference`
    /// in the layout at `layout`.
    @discardableResult
    static func image(
        layout: String, reference: String, files: [String: String],
        bigBytes: Int = 0
    ) throws -> ResolvedImage {
        let rootfs = layout + "-rootfs-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: rootfs) }
        try FileManager.default.createDirectory(atPath: rootfs + "/etc", withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(toFile: rootfs + "/" + name, atomically: true, encoding: .utf8)
        }
        if bigBytes > 0 {
            let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
            try random.readData(ofLength: bigBytes).write(to: URL(fileURLWithPath: rootfs + "/big.bin"))
            try random.close()
        }
        return try ImageStore(root: layout).importRootfs(directory: rootfs, reference: reference)
    }

    /// Adds to the layout an index naming `host` and a copy of it for `other` (same layer, config with
    /// the other architecture), named `reference`; returns the index descriptor.
    static func multiPlatformIndex(
        layout: String, host: ResolvedImage, other: Platform,
        reference: String
    ) throws -> Descriptor {
        let store = try ImageStore(root: layout)
        var config = host.config
        config.architecture = other.architecture
        config.os = other.os
        config.variant = other.variant
        let configData = try CanonicalJSON.encode(config)
        let configDescriptor = Descriptor(
            mediaType: .ociConfig, digest: try Hashing.digest(of: configData),
            size: Int64(configData.count))
        try store.storeBlob(configData, as: configDescriptor)
        let manifest = ImageManifest(config: configDescriptor, layers: host.manifest.layers)
        let manifestData = try CanonicalJSON.encode(manifest)
        let manifestDescriptor = Descriptor(
            mediaType: .ociManifest, digest: try Hashing.digest(of: manifestData),
            size: Int64(manifestData.count), platform: other)
        try store.storeBlob(manifestData, as: manifestDescriptor)
        var hostEntry = host.manifestDescriptor
        hostEntry.platform = host.config.platform
        hostEntry.annotations = nil
        let index = ImageIndex(manifests: [manifestDescriptor, hostEntry])
        let indexData = try CanonicalJSON.encode(index)
        let indexDescriptor = Descriptor(
            mediaType: .ociIndex, digest: try Hashing.digest(of: indexData),
            size: Int64(indexData.count))
        try store.storeBlob(indexData, as: indexDescriptor)
        try store.setReference(reference, to: indexDescriptor)
        return indexDescriptor
    }

    /// Options for tests: no Docker config, loopback over HTTP, quick retries.
    static func options(stateRoot: String, extraCA: [String] = [], attempts: Int = 3) -> RegistryOptions {
        RegistryOptions(
            stateRoot: stateRoot, dockerConfigPath: nil, extraCACertificates: extraCA,
            maxAttempts: attempts, retryDelay: .milliseconds(50))
    }
}

/// Collects progress reports from concurrent downloads.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [PullProgress] = []

    func append(_ event: PullProgress) {
        lock.lock()
        events.append(event)
        lock.unlock()
    }

    var all: [PullProgress] {
        lock.lock()
        defer { lock.unlock() }
        return events
    }

    func states(of digest: Digest) -> [PullProgress.State] { all.filter { $0.digest == digest }.map(\.state) }
}
