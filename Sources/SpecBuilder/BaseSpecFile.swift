import Diagnostics
import Foundation
import OCI

/// Loads the manifest's `config` file: an OCI runtime spec used in place of the default spec.
enum BaseSpecFile {
    static let sizeLimit = 10 << 20

    /// The decoded spec. A field Berth's `RuntimeSpec` does not model would be silently dropped, so
    /// it is an error instead, naming the field.
    static func load(_ path: String, at location: SourceLocation?) throws -> RuntimeSpec {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SpecError.invalidConfig(path, "cannot read the file", at: location, cause: error)
        }
        if data.count > sizeLimit {
            throw SpecError.invalidConfig(path, "the file is \(data.count) bytes; the limit is \(sizeLimit)", at: location)
        }
        let spec: RuntimeSpec
        let raw: JSONValue
        do {
            spec = try CanonicalJSON.decode(RuntimeSpec.self, from: data)
            raw = try CanonicalJSON.decode(JSONValue.self, from: data)
        } catch {
            throw SpecError.invalidConfig(
                path, "not a valid OCI runtime spec (runtime-spec \(RuntimeSpec.version))",
                at: location, cause: error)
        }
        let kept = try CanonicalJSON.decode(JSONValue.self, from: CanonicalJSON.encode(spec))
        let dropped = droppedKeys(raw, kept, path: "")
        if !dropped.isEmpty {
            let list = dropped.prefix(5).joined(separator: ", ") + (dropped.count > 5 ? ", …" : "")
            throw SpecError.invalidConfig(path, "fields Berth does not support: \(list); remove them", at: location)
        }
        return spec
    }

    /// Key paths present (and not null) in `original` but missing from `kept`.
    static func droppedKeys(_ original: JSONValue, _ kept: JSONValue, path: String) -> [String] {
        switch (original, kept) {
        case (.object(let o), .object(let k)):
            return o.keys.sorted().flatMap { key -> [String] in
                let child = path.isEmpty ? key : "\(path).\(key)"
                guard let value = o[key], value != .null else { return [] }
                guard let keptValue = k[key] else { return [child] }
                return droppedKeys(value, keptValue, path: child)
            }
        case (.object(let o), _):
            return o.isEmpty ? [] : [path]
        case (.array(let a), .array(let k)):
            return a.indices.flatMap { i in
                i < k.count ? droppedKeys(a[i], k[i], path: "\(path)[\(i)]") : ["\(path)[\(i)]"]
            }
        default:
            return []
        }
    }
}
