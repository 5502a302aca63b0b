import Foundation
import ImageStore
import OCI

/// A resolved reference with the raw documents, so a pull stores exactly the bytes the registry sent.
struct Resolution: Sendable {
    var image: RemoteImage
    var root: FetchedDocument
    var manifest: FetchedDocument

    static func resolve(
        _ name: ImageReference, platform: Platform, session: RegistrySession,
        store: ImageStore?
    ) async throws -> Resolution {
        let display = name.description
        let root = try await session.fetchManifest(
            name.digest?.description ?? name.tag ?? "latest",
            expected: name.digest, displayName: display)
        var manifestDocument = root
        if root.descriptor.mediaType.isIndex {
            let index = try decode(ImageIndex.self, root.data, what: "image index of \(display)")
            let candidates = index.manifests.filter { $0.mediaType.isManifest }
            guard let chosen = choose(candidates, for: platform) else {
                throw RegistryError.noPlatform(
                    display, wanted: platform.description,
                    offered: candidates.compactMap { $0.platform?.description })
            }
            manifestDocument = try await session.fetchManifest(
                chosen.digest.description, expected: chosen.digest,
                displayName: "\(display) (\(platform))")
            manifestDocument.descriptor.platform = chosen.platform
            manifestDocument.descriptor.mediaType = chosen.mediaType
        }
        let manifest = try decode(ImageManifest.self, manifestDocument.data, what: "manifest of \(display)")
        let blobs = [manifest.config] + manifest.layers
        var seen = Set<Digest>()
        let missing = blobs.filter { seen.insert($0.digest).inserted && !(store?.hasBlob($0.digest) ?? false) }
        let image = RemoteImage(
            reference: display, rootDescriptor: root.descriptor,
            manifestDescriptor: manifestDocument.descriptor, manifest: manifest,
            missingBlobs: missing)
        return Resolution(image: image, root: root, manifest: manifestDocument)
    }

    /// The first manifest whose platform matches, preferring one whose variant is exactly the one asked for.
    static func choose(_ candidates: [Descriptor], for platform: Platform) -> Descriptor? {
        let matching = candidates.filter { $0.platform?.matches(platform) ?? false }
        if let exact = matching.first(where: { $0.platform?.variant == platform.variant }) { return exact }
        if let any = matching.first { return any }
        return candidates.count == 1 && candidates[0].platform == nil ? candidates[0] : nil
    }

    /// Config first (checked against the platform), then the layers in parallel, then the manifests, then the name.
    func pull(
        into store: ImageStore, platform: Platform, session: RegistrySession, options: RegistryOptions,
        progress callback: (@Sendable (PullProgress) -> Void)?
    ) async throws -> ResolvedImage {
        let manifest = image.manifest
        var seen = Set<Digest>()
        let blobs = ([manifest.config] + manifest.layers).filter { seen.insert($0.digest).inserted }
        let tracker = ProgressTracker(blobs: blobs, callback: callback)
        let downloader = BlobDownloader(session: session, store: store, options: options, progress: tracker)
        try await downloader.fetch(manifest.config)
        let configData = try Data(contentsOf: URL(fileURLWithPath: store.blobPath(manifest.config.digest)))
        let config = try Self.decode(ImageConfiguration.self, configData, what: "config of \(image.reference)")
        if !root.descriptor.mediaType.isIndex, !config.platform.matches(platform) {
            throw RegistryError.noPlatform(
                image.reference, wanted: platform.description,
                offered: [config.platform.description])
        }
        guard config.rootfs.diffIDs.count == manifest.layers.count else {
            throw RegistryError.protocolError(
                "image \(image.reference) has \(manifest.layers.count) layers but its "
                    + "config lists \(config.rootfs.diffIDs.count) diff IDs")
        }
        try await downloader.fetchAll(Array(blobs.dropFirst()))
        var manifestDescriptor = self.manifest.descriptor
        manifestDescriptor.platform = manifestDescriptor.platform ?? config.platform
        try store.storeBlob(self.manifest.data, as: manifestDescriptor)
        var target = manifestDescriptor
        if root.descriptor.mediaType.isIndex {
            try store.storeBlob(root.data, as: root.descriptor)
            target = root.descriptor
        }
        let wanted = manifestDescriptor.platform ?? config.platform
        return try store.setReference(image.reference, to: target, resolvingFor: wanted)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw RegistryError.protocolError("the \(what) is not valid", underlying: error)
        }
    }
}
