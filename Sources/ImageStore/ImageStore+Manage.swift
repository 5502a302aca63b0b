import Foundation
import OCI

extension ImageStore {
    /// Every named image in index.json, sorted by reference.
    public func list() throws -> [ImageRecord] {
        let index = try readIndex()
        return index.manifests.compactMap { entry -> ImageRecord? in
            guard let name = entry.imageName else { return nil }
            var platforms: [Platform] = []
            var size: Int64 = 0
            if entry.mediaType.isIndex, let inner = try? readJSON(ImageIndex.self, entry) {
                // Image manifests only: a checkpoint index also tags its other blobs with a platform.
                for platform in inner.manifests.filter(\.mediaType.isManifest).compactMap(\.platform)
                where !platforms.contains(platform) {
                    platforms.append(platform)
                }
            }
            if let image = try? resolveEntry(entry, name: name, platform: .host) {
                size =
                    image.manifestDescriptor.size + image.manifest.config.size
                    + image.manifest.layers.reduce(0) { $0 + $1.size }
                if platforms.isEmpty { platforms = [image.config.platform] }
            } else if let platform = entry.platform, platforms.isEmpty {
                platforms = [platform]
            }
            return ImageRecord(
                reference: name, digest: entry.digest, mediaType: entry.mediaType, size: size,
                platforms: platforms)
        }.sorted { $0.reference < $1.reference }
    }

    /// Removes the name from index.json (blobs stay until `prune`); throws `image-not-found` when absent.
    public func remove(reference: String) throws {
        let name = try ImageReference(parsing: reference).description
        try withLock {
            var index = try readIndex()
            let before = index.manifests.count
            index.manifests.removeAll { $0.imageName == name }
            guard index.manifests.count < before else { throw ImageStoreError.notFound(name) }
            try writeIndex(index)
        }
    }

    /// Gives the image named `source` a second name `target` (replacing what `target` named before).
    public func tag(source: String, target: String) throws {
        let from = try ImageReference(parsing: source)
        let to = try ImageReference(parsing: target).description
        try withLock {
            guard let entry = try findEntry(from) else { throw ImageStoreError.notFound(from.description) }
            try setReference(to, to: entry, platform: entry.platform)
        }
    }
}
