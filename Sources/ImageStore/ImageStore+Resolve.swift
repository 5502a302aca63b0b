import Foundation
import OCI

extension ImageStore {
    /// The image named `reference` for `platform`; throws `image-not-found` saying how to add it.
    public func resolve(_ reference: String, platform: Platform = .host) throws -> ResolvedImage {
        let normalized = try ImageReference(parsing: reference)
        guard let image = try lookup(normalized, platform: platform) else {
            throw ImageStoreError.notFound(normalized.description)
        }
        return image
    }

    /// Like `resolve`, but nil when no index entry carries the name.
    /// Looks `references` up in the layout at `root` when there is one (nothing is created), so that the
    /// answers are kept for this process's later lookups: `apply` does so while its state database opens.
    public static func prefetch(root: String, references: [String], platform: Platform = .host) {
        guard FileSystem.exists(root + "/index.json"), let store = try? ImageStore(root: root) else { return }
        for reference in references { _ = try? store.lookup(reference, platform: platform) }
    }

    public func lookup(_ reference: String, platform: Platform = .host) throws -> ResolvedImage? {
        try lookup(try ImageReference(parsing: reference), platform: platform)
    }

    func lookup(_ reference: ImageReference, platform: Platform) throws -> ResolvedImage? {
        // One apply asks for the same image several times (the pull policy, the plan, the bundle): an answer is
        // kept for as long as index.json is the same file (every change replaces it), blobs being immutable.
        let key = LookupKey(root: root, reference: reference.description, platform: platform)
        let identity = FileIdentity(path: root + "/index.json")
        if let identity, let kept = Self.lookups.withLock({ $0[key] }), kept.index == identity { return kept.image }
        guard let entry = try findEntry(reference) else {
            if let identity { Self.lookups.withLock { $0[key] = KeptLookup(index: identity, image: nil) } }
            return nil
        }
        let image = try resolveEntry(entry, name: reference.description, platform: platform)
        if let identity { Self.lookups.withLock { $0[key] = KeptLookup(index: identity, image: image) } }
        return image
    }

    /// The index.json entry for `reference`: an exact name match, or for `name@digest` any entry with that digest.
    func findEntry(_ reference: ImageReference) throws -> Descriptor? {
        let index = try readIndex()
        let wanted = reference.description
        if let exact = index.manifests.first(where: { $0.imageName == wanted }) { return exact }
        if let digest = reference.digest {
            return index.manifests.first { entry in
                entry.digest == digest && entry.imageName.flatMap { try? ImageReference(parsing: $0) }?.name == reference.name
            }
        }
        return nil
    }

    /// Follows an index entry down to the manifest for `platform`.
    func resolveEntry(_ entry: Descriptor, name: String, platform: Platform) throws -> ResolvedImage {
        try resolveEntry(entry, name: name, platform: platform, read: readBlob)
    }

    /// Same, reading JSON blobs through `read` (imports check content before it is committed).
    func resolveEntry(
        _ entry: Descriptor, name: String, platform: Platform,
        read: (Descriptor) throws -> Data
    ) throws -> ResolvedImage {
        func json<T: Decodable>(_ type: T.Type, _ descriptor: Descriptor) throws -> T {
            do {
                return try CanonicalJSON.decode(type, from: try read(descriptor))
            } catch let error as ImageStoreError {
                throw error
            } catch {
                throw ImageStoreError(
                    "image-store-corrupt",
                    "blob \(descriptor.digest) (\(descriptor.mediaType)) is not valid JSON", underlying: error)
            }
        }
        var manifestDescriptor = Descriptor(mediaType: entry.mediaType, digest: entry.digest, size: entry.size)
        if entry.mediaType.isIndex {
            let index = try json(ImageIndex.self, entry)
            let candidates = index.manifests.filter { $0.mediaType.isManifest }
            guard
                let chosen = candidates.first(where: { $0.platform.map { $0.matches(platform) } ?? false })
                    ?? (candidates.count == 1 && candidates[0].platform == nil ? candidates[0] : nil)
            else {
                let available = candidates.compactMap { $0.platform?.description }
                throw ImageStoreError(
                    "platform-not-found",
                    "image \"\(name)\" has no manifest for \(platform); available: "
                        + (available.isEmpty ? "none" : available.joined(separator: ", ")))
            }
            manifestDescriptor = chosen
        } else if !entry.mediaType.isManifest {
            throw ImageStoreError(
                "unsupported-media-type",
                "image \"\(name)\" points at \(entry.mediaType), not a manifest or index")
        }
        let manifest = try json(ImageManifest.self, manifestDescriptor)
        let config = try json(ImageConfiguration.self, manifest.config)
        if entry.mediaType.isManifest, !config.platform.matches(platform) {
            throw ImageStoreError(
                "platform-not-found",
                "image \"\(name)\" is for \(config.platform), not \(platform)")
        }
        return ResolvedImage(
            reference: name, indexDescriptor: entry, manifestDescriptor: manifestDescriptor,
            manifest: manifest, config: config)
    }
}
