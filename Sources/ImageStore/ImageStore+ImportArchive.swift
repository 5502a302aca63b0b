import Foundation
import OCI

extension ImageStore {
    /// Imports an OCI layout directory, an OCI archive or a `docker save` archive (classic or Docker 25+
    /// layout; plain, gzip or zstd). Every file is hashed on the way in; a mismatch or a missing blob names the
    /// blob and imports nothing. Names follow containerd: `io.containerd.image.name` verbatim, else the OCI
    /// ref name (a bare tag becomes `<name or import-YYYY-MM-DD>:<tag>`), else Docker RepoTags. Returns the
    /// imported images resolved for `platform`.
    public func importArchive(path: String, name: String? = nil, platform: Platform = .host) throws -> [ResolvedImage] {
        let staging = ImportStaging(store: self, source: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImageStoreError("import-not-found", "image archive \(path) does not exist", category: .usage)
        }
        if isDirectory.boolValue {
            try staging.readDirectory(path)
        } else {
            try staging.readArchive(path)
        }
        let entries: [(String, Descriptor)]
        if let layout = staging.metadata["oci-layout"] {
            entries = try ociEntries(staging, layout: layout, baseName: name)
        } else if let manifest = staging.metadata["manifest.json"] {
            entries = try dockerEntries(staging, manifest: manifest)
        } else {
            throw ImageStoreError(
                "import-unrecognized", "\(path): unrecognized image format (no oci-layout or manifest.json)",
                category: .usage)
        }
        guard !entries.isEmpty else {
            throw ImageStoreError(
                "import-nothing-named", "\(path) holds no named image; pass a name for its tags",
                category: .usage)
        }
        // Check every named image for the platform against the staged content before anything is committed.
        var images: [ResolvedImage] = []
        for (reference, descriptor) in entries {
            let image = try resolveEntry(descriptor, name: reference, platform: platform, read: staging.read)
            for layer in image.manifest.layers {
                guard let size = staging.size(of: layer.digest) else {
                    throw ImageStoreError(
                        "blob-missing",
                        "\(path): layer \(layer.digest) of \(reference) is missing; "
                            + "nothing was imported")
                }
                guard size == layer.size else {
                    throw ImageStoreError(
                        "blob-size-mismatch",
                        "\(path): layer \(layer.digest) of \(reference) has "
                            + "\(size) bytes, expected \(layer.size); nothing was imported")
                }
            }
            images.append(image)
        }
        let stored = entries.map { reference, descriptor in
            (
                reference,
                Descriptor(
                    mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size,
                    annotations: [
                        AnnotationKey.refName: reference,
                        AnnotationKey.containerdImageName: reference,
                    ],
                    platform: descriptor.platform)
            )
        }
        try withLock {
            try staging.commit()
            var index = try readIndex()
            for (reference, descriptor) in stored {
                index.manifests.removeAll { $0.imageName == reference }
                index.manifests.append(descriptor)
            }
            try writeIndex(index)
        }
        return zip(images, stored).map { image, entry in
            var image = image
            image.indexDescriptor = entry.1
            return image
        }
    }

    /// Named entries of an OCI layout's index.json.
    func ociEntries(_ staging: ImportStaging, layout: Data, baseName: String?) throws -> [(String, Descriptor)] {
        let header = try? CanonicalJSON.decode(ImageLayoutHeader.self, from: layout)
        guard header?.imageLayoutVersion == "1.0.0" else {
            throw ImageStoreError(
                "import-unsupported",
                "\(staging.source): unsupported OCI version "
                    + "\(header?.imageLayoutVersion ?? "(unreadable)")")
        }
        guard let indexData = staging.metadata["index.json"] else {
            throw ImageStoreError("import-unsupported", "\(staging.source): missing index.json in OCI layout 1.0.0")
        }
        let index: ImageIndex
        do { index = try CanonicalJSON.decode(ImageIndex.self, from: indexData) } catch {
            throw ImageStoreError("import-unsupported", "\(staging.source): index.json is not an image index", underlying: error)
        }
        var result: [(String, Descriptor)] = []
        for descriptor in index.manifests {
            guard let name = Self.importName(descriptor, baseName: baseName) else { continue }
            result.append((try ImageReference(parsing: name).description, descriptor))
        }
        return result
    }

    /// containerd's naming of an imported index entry; nil to skip it.
    static func importName(_ descriptor: Descriptor, baseName: String?) -> String? {
        if let name = descriptor.annotations?[AnnotationKey.containerdImageName] { return name }
        guard let ref = descriptor.annotations?[AnnotationKey.refName] else { return nil }
        if ref.contains(where: { "/:@".contains($0) }) {
            if let base = baseName {
                guard ref.hasPrefix(base), let next = ref.dropFirst(base.count).first, "/:@".contains(next) else { return nil }
            }
            return ref
        }
        return (baseName ?? "import-" + Self.today()) + ":" + ref
    }

    static func today() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date())
    }

    struct DockerSaveEntry: Decodable {
        var Config: String
        var RepoTags: [String]?
        var Layers: [String]
    }

    /// Synthesized Docker schema 2 manifests for a `docker save` manifest.json, one entry per RepoTag.
    func dockerEntries(_ staging: ImportStaging, manifest: Data) throws -> [(String, Descriptor)] {
        let saved: [DockerSaveEntry]
        do { saved = try JSONDecoder().decode([DockerSaveEntry].self, from: manifest) } catch {
            throw ImageStoreError(
                "import-unsupported", "\(staging.source): manifest.json is not a docker save manifest",
                underlying: error)
        }
        var result: [(String, Descriptor)] = []
        for item in saved {
            guard let configDigest = ImportStaging.clean(item.Config).flatMap(staging.digest(atPath:)),
                let configSize = staging.size(of: configDigest)
            else {
                throw ImageStoreError("blob-missing", "\(staging.source): image config \"\(item.Config)\" not found")
            }
            let configDescriptor = Descriptor(mediaType: .dockerConfig, digest: configDigest, size: configSize)
            let config: ImageConfiguration
            do { config = try CanonicalJSON.decode(ImageConfiguration.self, from: try staging.read(configDescriptor)) } catch {
                throw ImageStoreError(
                    "import-unsupported", "\(staging.source): config \"\(item.Config)\" is not an image config",
                    underlying: error)
            }
            var layers: [Descriptor] = []
            for layerPath in item.Layers {
                guard let digest = ImportStaging.clean(layerPath).flatMap(staging.digest(atPath:)),
                    let size = staging.size(of: digest)
                else {
                    throw ImageStoreError("blob-missing", "\(staging.source): layer \"\(layerPath)\" not found")
                }
                let gzip = Self.hasGzipMagic(staging.path(of: digest))
                layers.append(Descriptor(mediaType: gzip ? .dockerLayerGzip : .dockerLayer, digest: digest, size: size))
            }
            let manifest = ImageManifest(mediaType: .dockerManifest, config: configDescriptor, layers: layers)
            let data = try CanonicalJSON.encode(manifest)
            let digest = try staging.add(data)
            let descriptor = Descriptor(
                mediaType: .dockerManifest, digest: digest, size: Int64(data.count),
                platform: config.platform)
            for tag in item.RepoTags ?? [] {
                result.append((try ImageReference(parsing: tag).description, descriptor))
            }
        }
        return result
    }

    static func hasGzipMagic(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 3)) ?? Data()
        return head.count == 3 && head[head.startIndex] == 0x1f && head[head.startIndex + 1] == 0x8b
            && head[head.startIndex + 2] == 0x08
    }
}
