import Foundation
@testable import ImageStore
import OCI

/// One JSON document, read as each OCI document Berth decodes from outside (image index / index.json, image
/// manifest, image config, oci-layout) and as a `docker save` manifest.json.
/// Invariants: decoding never traps; whatever decodes re-encodes canonically (decode → encode → decode gives an
/// equal value and the same bytes); names taken from an index or RepoTags normalize idempotently; paths named by a
/// docker save manifest clean to relative paths without `..` (they are looked up among the archive's files).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOCIJSON(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(UnsafeBufferPointer(start: start, count: count))
    if let index = roundTrip(ImageIndex.self, data) {
        for descriptor in index.manifests {
            for base in [nil, "example.com/base"] {
                if let name = ImageStore.importName(descriptor, baseName: base) { checkReference(name, data) }
            }
        }
    }
    _ = roundTrip(ImageManifest.self, data)
    _ = roundTrip(ImageConfiguration.self, data)
    _ = roundTrip(ImageLayoutHeader.self, data)
    if let saved = try? JSONDecoder().decode([ImageStore.DockerSaveEntry].self, from: data) {
        for entry in saved {
            for path in [entry.Config] + entry.Layers { checkCleanPath(path, data) }
            for tag in entry.RepoTags ?? [] { checkReference(tag, data) }
        }
    }
    return 0
}

private func roundTrip<T: Codable & Equatable>(_ type: T.Type, _ data: Data) -> T? {
    guard let value = try? CanonicalJSON.decode(type, from: data) else { return nil }
    guard let encoded = try? CanonicalJSON.encode(value) else { fail("\(type) decodes but does not encode", data) }
    guard let again = try? CanonicalJSON.decode(type, from: encoded) else {
        fail("\(type) encodes to JSON that does not decode: \(String(decoding: encoded, as: UTF8.self))", data)
    }
    if again != value { fail("\(type) changes through encode and decode: \(value) → \(again)", data) }
    if (try? CanonicalJSON.encode(again)) != encoded { fail("\(type) encoding is not stable", data) }
    return value
}

/// A reference that parses normalizes to a form that parses to itself.
private func checkReference(_ text: String, _ data: Data) {
    guard let reference = try? ImageReference(parsing: text) else { return }
    guard let again = try? ImageReference(parsing: reference.description) else {
        fail("normalized reference \(reference) of \"\(text)\" does not parse", data)
    }
    if again != reference { fail("reference \"\(text)\" normalizes to \(reference), then to \(again)", data) }
}

private func checkCleanPath(_ path: String, _ data: Data) {
    guard let clean = ImportStaging.clean(path) else { return }
    let parts = clean.split(separator: "/", omittingEmptySubsequences: false)
    if clean.hasPrefix("/") || parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
        fail("docker save path \"\(path)\" cleans to \"\(clean)\"", data)
    }
}

private func fail(_ what: String, _ input: Data) -> Never {
    FileHandle.standardError.write(Data("FuzzOCIJSON invariant violated: \(what)\n".utf8))
    abort()
}
