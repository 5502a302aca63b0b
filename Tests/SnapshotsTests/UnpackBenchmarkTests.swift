import Foundation
import OCI
import Testing
@testable import ImageStore
@testable import Snapshots

/// Timings for benchmarks/unpack.sh; runs only when BERTH_BENCH_ROOTFS names a directory to import.
@Suite struct UnpackBenchmarkTests {
    static let rootfs = ProcessInfo.processInfo.environment["BERTH_BENCH_ROOTFS"]

    func seconds(_ duration: Duration) -> String {
        let c = duration.components
        return String(format: "%.3f", Double(c.seconds) + Double(c.attoseconds) / 1e18)
    }

    func milliseconds(_ duration: Duration) -> String {
        let c = duration.components
        return String(format: "%.4f", Double(c.seconds) * 1e3 + Double(c.attoseconds) / 1e15)
    }

    /// An image whose layers are the rootfs's top-level entries split into `count` groups.
    func layeredImage(_ store: ImageStore, rootfs: String, scratch: String, count: Int) throws -> ResolvedImage {
        let entries = try FileManager.default.contentsOfDirectory(atPath: rootfs).sorted()
        var layers: [Descriptor] = []
        var diffIDs: [Digest] = []
        for group in 0..<count {
            let dir = scratch + "/group\(group)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for (i, name) in entries.enumerated() where i % count == group {
                let copy = Process()
                copy.executableURL = URL(fileURLWithPath: "/bin/cp")
                copy.arguments = ["-a", rootfs + "/" + name, dir + "/"]
                try copy.run()
                copy.waitUntilExit()
            }
            let part = try store.importRootfs(directory: dir, reference: "berth.local/bench-part:\(group)")
            layers += part.manifest.layers
            diffIDs += part.diffIDs
        }
        let host = Platform.host
        let config = ImageConfiguration(
            architecture: host.architecture, os: host.os, variant: host.variant, config: nil,
            rootfs: .init(diffIDs: diffIDs))
        let configDescriptor = try store.writeBlob(try CanonicalJSON.encode(config), mediaType: .ociConfig)
        let manifest = ImageManifest(config: configDescriptor, layers: layers)
        let manifestDescriptor = try store.writeBlob(try CanonicalJSON.encode(manifest), mediaType: .ociManifest)
        try store.withLock { try store.setReference("berth.local/bench:layered", to: manifestDescriptor, platform: host) }
        return try store.resolve("berth.local/bench:layered")
    }

    @Test(.enabled(if: rootfs != nil)) func unpackTimings() throws {
        let rootfs = try #require(Self.rootfs)
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let clock = ContinuousClock()
        let store = try ImageStore(root: scratch.path + "/store")
        var single: ResolvedImage?
        let importTime = try clock.measure {
            single = try store.importRootfs(directory: rootfs, reference: "berth.local/bench:single")
        }
        print("bench import_rootfs_seconds=\(seconds(importTime))")
        let layered = try layeredImage(store, rootfs: rootfs, scratch: scratch.path, count: 4)
        for (label, image) in [("single", try #require(single)), ("4-layers", layered)] {
            for kind in SnapshotterKind.allCases {
                let snapshots = try SnapshotStore(root: scratch.path + "/snap-\(label)", snapshotter: kind)
                let unpackTime = try clock.measure { try snapshots.unpack(image, from: store) }
                var pending: [LayerUnpack] = []
                let checkTime = try clock.measure {
                    for _ in 0..<100 { pending = try snapshots.pendingLayers(for: image) }
                }
                print(
                    "bench image=\(label) snapshotter=\(kind.rawValue) unpack_seconds=\(seconds(unpackTime)) "
                        + "pending_check_ms_per_call=\(milliseconds(checkTime / 100))")
                #expect(pending.isEmpty)
                #expect(checkTime / 100 < .milliseconds(5))
            }
        }
    }
}
