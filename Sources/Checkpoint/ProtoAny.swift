import Foundation

/// Decodes the protobuf `google.protobuf.Any` containerd stores as a checkpoint's config: field 1 is the
/// type URL, field 2 the value, which for an OCI spec is the spec's JSON.
enum ProtoAny {
    static func value(of data: Data) throws -> Data {
        let bytes = [UInt8](data)
        var position = 0
        var value: Data?
        while position < bytes.count {
            let key = try varint(bytes, &position)
            switch key & 7 {
            case 0: _ = try varint(bytes, &position)
            case 1: position += 8
            case 5: position += 4
            case 2:
                let length = try varint(bytes, &position)
                guard length <= UInt64(bytes.count - position) else { throw malformed("field \(key >> 3) is truncated") }
                let end = position + Int(length)
                if key >> 3 == 2 { value = Data(bytes[position..<end]) }
                position = end
            default: throw malformed("wire type \(key & 7) is not supported")
            }
        }
        guard position == bytes.count else { throw malformed("truncated") }
        guard let value else { throw malformed("no value field") }
        return value
    }

    static func varint(_ bytes: [UInt8], _ position: inout Int) throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.count, shift < 64 {
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw malformed("bad varint")
    }

    static func malformed(_ why: String) -> CheckpointError {
        CheckpointError("checkpoint-corrupt", "protobuf Any: \(why)")
    }
}
