import Foundation

/// The one way Berth encodes JSON that others read: sorted keys, no escaped slashes, so the same
/// value always gives the same bytes (and the same digest).
public enum CanonicalJSON {
    /// Compact encoding, for blobs whose digest matters.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        if let data = try? JSONTreeEncoder.encode(value, pretty: false) { return data }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Indented encoding with a trailing newline, for files people read (config.json, plans).
    public static func encodePretty<T: Encodable>(_ value: T) throws -> Data {
        if var data = try? JSONTreeEncoder.encode(value, pretty: true) {
            data.append(0x0A)
            return data
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }
}
