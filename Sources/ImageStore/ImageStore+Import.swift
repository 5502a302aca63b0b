import Foundation
import OCI
import TarArchive

extension ImageStore {
    /// The execution config a rootfs import gets unless the caller passes one: only a standard PATH.
    public static let defaultRootfsConfig = ImageConfiguration.ExecutionConfig(
        env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])

    /// Packs `directory` into a single-layer OCI image (tar+gzip) named `reference` for the host platform.
    /// Deterministic: the same directory contents give the same layer, config and manifest digests.
    public func importRootfs(
        directory: String, reference: String,
        config execution: ImageConfiguration.ExecutionConfig? = ImageStore.defaultRootfsConfig
    )
        throws -> ResolvedImage
    {
        let name = try ImageReference(parsing: reference)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ImageStoreError("rootfs-not-found", "rootfs directory \(directory) does not exist", category: .usage)
        }
        let tarPath = newIngestPath()
        let gzPath = newIngestPath()
        defer {
            unlink(tarPath)
            unlink(gzPath)
        }
        let tar = try TarPacker.packTar(directory: directory, to: tarPath)
        let gz = try TarPacker.gzip(file: tarPath, to: gzPath)
        let diffID = try Digest(parsing: tar.digest)
        let layerDigest = try Digest(parsing: gz.digest)
        let host = Platform.host
        var config = ImageConfiguration(
            architecture: host.architecture, os: host.os, variant: host.variant,
            config: execution, rootfs: .init(diffIDs: [diffID]),
            history: [.init(createdBy: "berth image import --rootfs", comment: "imported rootfs")])
        config.created = nil
        return try withLock {
            if !hasBlob(layerDigest) { try moveIntoPlace(gzPath, digest: layerDigest) }
            let layer = Descriptor(mediaType: .ociLayerGzip, digest: layerDigest, size: gz.size)
            let configDescriptor = try writeBlob(try CanonicalJSON.encode(config), mediaType: .ociConfig)
            let manifest = ImageManifest(config: configDescriptor, layers: [layer])
            let manifestDescriptor = try writeBlob(try CanonicalJSON.encode(manifest), mediaType: .ociManifest)
            let entry = try setReference(name.description, to: manifestDescriptor, platform: host)
            return ResolvedImage(
                reference: name.description, indexDescriptor: entry,
                manifestDescriptor: manifestDescriptor, manifest: manifest, config: config)
        }
    }

    /// Points `name` at `target` in index.json, replacing any entry with that name. Call with the lock held.
    @discardableResult
    func setReference(_ name: String, to target: Descriptor, platform: Platform?) throws -> Descriptor {
        var entry = Descriptor(
            mediaType: target.mediaType, digest: target.digest, size: target.size,
            annotations: [AnnotationKey.refName: name, AnnotationKey.containerdImageName: name],
            platform: platform)
        entry.urls = nil
        var index = try readIndex()
        index.manifests.removeAll { $0.imageName == name }
        index.manifests.append(entry)
        try writeIndex(index)
        return entry
    }
}
