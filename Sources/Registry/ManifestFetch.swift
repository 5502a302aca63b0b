import AsyncHTTPClient
import Foundation
import ImageStore
import NIOCore
import OCI

/// A manifest or index exactly as the registry sent it, with the descriptor of those bytes.
struct FetchedDocument: Sendable {
    var descriptor: Descriptor
    var data: Data
}

extension RegistrySession {
    static let manifestTypes: [MediaType] = [.ociIndex, .dockerManifestList, .ociManifest, .dockerManifest]
    static let documentLimit = 4 << 20

    /// GETs `/manifests/<reference>` and checks the bytes against `expected` (a digest reference or a
    /// descriptor from an index) and the registry's `Docker-Content-Digest` header.
    func fetchManifest(_ reference: String, expected: Digest?, displayName: String) async throws -> FetchedDocument {
        let accept = Self.manifestTypes.map(\.rawValue)
        let result: (Data, String?, String?) = try await Retry.run(options) {
            let response = try await self.get("manifests/\(reference)", accept: accept)
            let status = Int(response.status.code)
            if status == 404 {
                _ = try? await response.body.collect(upTo: 1 << 20)
                throw RegistryError.manifestUnknown(displayName)
            }
            guard status == 200 else {
                _ = try? await response.body.collect(upTo: 1 << 20)
                throw RegistryError.http("manifest \(displayName)", status: status, registry: self.endpoint.registry)
            }
            let body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: Self.documentLimit)
            } catch {
                throw TransportErrors.classify(error, registry: self.endpoint.registry, host: self.endpoint.host)
            }
            return (
                Data(body.readableBytesView), response.headers.first(name: "Content-Type"),
                response.headers.first(name: "Docker-Content-Digest")
            )
        }
        let (data, contentType, headerDigest) = result
        let digest = try Hashing.digest(of: data)
        for wanted in [expected?.description, headerDigest].compactMap({ $0 }) where wanted.hasPrefix("sha256:") {
            guard wanted == digest.description else {
                throw RegistryError.digestMismatch(wanted, actual: digest.description, size: Int64(data.count))
            }
        }
        let mediaType = try Self.mediaType(of: data, contentType: contentType, name: displayName)
        return FetchedDocument(
            descriptor: Descriptor(mediaType: mediaType, digest: digest, size: Int64(data.count)),
            data: data)
    }

    /// The document's media type: its `mediaType` field, else the Content-Type, else guessed from its shape.
    static func mediaType(of data: Data, contentType: String?, name: String) throws -> MediaType {
        struct Probe: Decodable {
            var schemaVersion: Int?
            var mediaType: String?
            var manifests: [JSONValue]?
        }
        guard let probe = try? JSONDecoder().decode(Probe.self, from: data) else {
            throw RegistryError.protocolError("the manifest of \(name) is not JSON")
        }
        if probe.schemaVersion == 1 {
            throw RegistryError(
                "manifest-unsupported",
                "image \(name) uses Docker schema 1 manifests, which Berth "
                    + "does not pull; push it again with a current tool")
        }
        let header = contentType.map {
            MediaType(rawValue: String($0.split(separator: ";")[0]).trimmingCharacters(in: .whitespaces))
        }
        let candidates = [probe.mediaType.map { MediaType(rawValue: $0) }, header].compactMap { $0 }
        if let known = candidates.first(where: { $0.isIndex || $0.isManifest }) { return known }
        if candidates.isEmpty || candidates.allSatisfy({ $0.rawValue == "application/json" }) {
            return probe.manifests != nil ? .ociIndex : .ociManifest
        }
        throw RegistryError(
            "manifest-unsupported",
            "image \(name) is a \(candidates[0]), not an image manifest or index")
    }
}
