import Foundation
import OCI
import TarArchive
import Testing
@testable import ImageStore

/// A scratch directory under /tmp, removed by `cleanup()`.
struct Scratch {
    let path: String

    init() throws {
        path = "/tmp/berth-snap-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanup() {
        // Unmount anything a failed test left mounted below the scratch dir before deleting it.
        if let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) {
            for line in mounts.split(separator: "\n").reversed() {
                let fields = line.split(separator: " ")
                if fields.count > 1, fields[1].hasPrefix(path) { umount2(String(fields[1]), Int32(MNT_DETACH)) }
            }
        }
        try? FileManager.default.removeItem(atPath: path)
    }

    func read(_ relative: String) -> String? {
        FileManager.default.contents(atPath: path + "/" + relative).map { String(decoding: $0, as: UTF8.self) }
    }

    func exists(_ relative: String) -> Bool {
        var st = stat()
        return lstat(path + "/" + relative, &st) == 0
    }

    func tree(_ relative: String) -> [String] {
        (FileManager.default.subpaths(atPath: path + "/" + relative) ?? []).sorted()
    }
}

/// One tar entry of a test layer.
struct LayerEntry: Sendable {
    var name: String
    var kind: TarEntry.Kind = .regular
    var data: String = ""
    var link: String? = nil
    var mode: UInt32? = nil
    var uid: Int64 = 0

    static func dir(_ name: String) -> LayerEntry { LayerEntry(name: name, kind: .directory) }
    static func file(_ name: String, _ data: String) -> LayerEntry { LayerEntry(name: name, data: data) }
}

/// Builds an image from tar layers (gzip unless asked otherwise) straight into the store.
/// `wrongDiffID` puts a wrong diff_id for that layer into the config.
func makeImage(
    _ store: ImageStore, scratch: Scratch, name: String, layers: [[LayerEntry]],
    compression: TarCompression = .gzip, wrongDiffID: Int? = nil
) throws -> ResolvedImage {
    var descriptors: [Descriptor] = []
    var diffIDs: [Digest] = []
    for (i, entries) in layers.enumerated() {
        let tarPath = scratch.path + "/layer-\(UUID().uuidString).tar"
        let writer = try TarWriter(path: tarPath)
        for entry in entries {
            try writer.add(
                entry.name, kind: entry.kind, mode: entry.mode ?? (entry.kind == .directory ? 0o755 : 0o644),
                uid: entry.uid, gid: entry.uid, data: Data(entry.data.utf8), link: entry.link)
        }
        let tar = try writer.finish()
        let packed = tarPath + ".c"
        _ = try TarPacker.compress(file: tarPath, to: packed, compression: compression)
        let data = try Data(contentsOf: URL(fileURLWithPath: packed))
        let mediaType: MediaType = compression == .zstd ? .ociLayerZstd : compression == .none ? .ociLayer : .ociLayerGzip
        descriptors.append(try store.writeBlob(data, mediaType: mediaType))
        diffIDs.append(
            i == wrongDiffID
                ? try Digest(parsing: "sha256:" + String(repeating: "e", count: 64))
                : try Digest(parsing: tar.digest))
    }
    let host = Platform.host
    let config = ImageConfiguration(
        architecture: host.architecture, os: host.os, variant: host.variant, config: nil,
        rootfs: .init(diffIDs: diffIDs))
    let configDescriptor = try store.writeBlob(try CanonicalJSON.encode(config), mediaType: .ociConfig)
    let manifest = ImageManifest(config: configDescriptor, layers: descriptors)
    let manifestDescriptor = try store.writeBlob(try CanonicalJSON.encode(manifest), mediaType: .ociManifest)
    let reference = try ImageReference(parsing: name).description
    try store.withLock { try store.setReference(reference, to: manifestDescriptor, platform: host) }
    return try store.resolve(name)
}
