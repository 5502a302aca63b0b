import Foundation

/// The bytes `JSONEncoder` writes with `.sortedKeys` and `.withoutEscapingSlashes` (and `.prettyPrinted` when
/// asked), made by an encoder of Berth's own. `JSONEncoder` asks every value whether it is one of the types it
/// treats specially (dates, data, URLs, string-keyed dictionaries); in a new process each of those questions is a
/// search of the binary's conformance records, which made encoding one runtime spec about 1.2 ms of an apply. This
/// one checks types by identity only. A value holding a type whose JSON `JSONEncoder` chooses itself (floating
/// point, `Data`, `Date`, `URL`, `Decimal`) is not encoded here: `encode` throws `Unsupported` and the caller uses
/// `JSONEncoder`, so the bytes are always the same as `JSONEncoder`'s.
enum JSONTreeEncoder {
    struct Unsupported: Error {}

    static func encode<T: Encodable>(_ value: T, pretty: Bool) throws -> Data {
        let encoder = TreeEncoder(codingPath: [], slot: Node(.object([:])))
        try encoder.put(value)
        // JSONEncoder refuses a top-level value that encoded nothing; so does it here, through the fallback.
        guard encoder.encoded else { throw Unsupported() }
        var out: [UInt8] = []
        out.reserveCapacity(16_384)
        encoder.slot.write(into: &out, pretty: pretty, indent: 0)
        return Data(out)
    }

    /// A JSON value being built: scalars already in their JSON text, containers filled in place (a nested
    /// container, or a super encoder's slot, is in its parent before its contents are encoded).
    final class Node {
        enum Kind {
            case scalar([UInt8])
            case array([Node])
            case object([String: Node])
        }
        var kind: Kind

        init(_ kind: Kind) { self.kind = kind }

        /// `value` as a node; a type that encodes nothing is an empty object, as JSONEncoder writes it.
        static func make<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> Node {
            let encoder = TreeEncoder(codingPath: codingPath, slot: Node(.object([:])))
            try encoder.put(value)
            return encoder.slot
        }

        /// Strings, integers and booleans reached through a generic call (an array's elements, a dictionary's
        /// values); nil for everything else. Types JSONEncoder writes its own way are refused.
        static func scalar<T: Encodable>(_ value: T) throws -> Node? {
            // Each cast follows the check that `T` is that very type, so none can fail.
            switch T.self {
            case is String.Type: return .string(value as! String)
            case is Bool.Type: return .text((value as! Bool) ? "true" : "false")
            case is Int.Type: return .text(String(value as! Int))
            case is Int64.Type: return .text(String(value as! Int64))
            case is Int32.Type: return .text(String(value as! Int32))
            case is UInt64.Type: return .text(String(value as! UInt64))
            case is UInt32.Type: return .text(String(value as! UInt32))
            case is UInt.Type: return .text(String(value as! UInt))
            case is Int16.Type: return .text(String(value as! Int16))
            case is UInt16.Type: return .text(String(value as! UInt16))
            case is Int8.Type: return .text(String(value as! Int8))
            case is UInt8.Type: return .text(String(value as! UInt8))
            case is Double.Type, is Float.Type, is Data.Type, is Date.Type, is URL.Type, is Decimal.Type: throw Unsupported()
            default: return nil
            }
        }

        static func text(_ text: String) -> Node { Node(.scalar(Array(text.utf8))) }
        static var null: Node { Node(.scalar(Array("null".utf8))) }

        static func string(_ text: String) -> Node { Node(.scalar(quoted(text))) }

        /// `text` as a JSON string, escaped as JSONEncoder escapes (slashes left alone).
        static func quoted(_ text: String) -> [UInt8] {
            var out: [UInt8] = [0x22]
            out.reserveCapacity(text.utf8.count + 2)
            for byte in text.utf8 {
                switch byte {
                case 0x22: out += [0x5C, 0x22]
                case 0x5C: out += [0x5C, 0x5C]
                case 0x0A: out += [0x5C, 0x6E]
                case 0x0D: out += [0x5C, 0x72]
                case 0x09: out += [0x5C, 0x74]
                case 0x08: out += [0x5C, 0x62]
                case 0x0C: out += [0x5C, 0x66]
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    out += [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                default: out.append(byte)
                }
            }
            out.append(0x22)
            return out
        }

        /// JSONEncoder's layout: `"key" : value`, two spaces a level, an empty container as an open and a close
        /// bracket with an empty line between (pretty), keys in the order of their UTF-8 bytes.
        func write(into out: inout [UInt8], pretty: Bool, indent: Int) {
            switch kind {
            case .scalar(let bytes):
                out += bytes
            case .array(let items):
                out.append(0x5B)
                writeItems(items.count, into: &out, pretty: pretty, indent: indent) { index, out in
                    items[index].write(into: &out, pretty: pretty, indent: indent + 2)
                }
                out.append(0x5D)
            case .object(let fields):
                let sorted = fields.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                out.append(0x7B)
                writeItems(sorted.count, into: &out, pretty: pretty, indent: indent) { index, out in
                    out += Node.quoted(sorted[index].key)
                    out += pretty ? [0x20, 0x3A, 0x20] : [0x3A]
                    sorted[index].value.write(into: &out, pretty: pretty, indent: indent + 2)
                }
                out.append(0x7D)
            }
        }

        private func writeItems(
            _ count: Int, into out: inout [UInt8], pretty: Bool, indent: Int, _ item: (Int, inout [UInt8]) -> Void
        ) {
            guard pretty else {
                for index in 0..<count {
                    if index > 0 { out.append(0x2C) }
                    item(index, &out)
                }
                return
            }
            out.append(0x0A)
            if count == 0 { out.append(0x0A) }
            for index in 0..<count {
                if index > 0 { out += [0x2C, 0x0A] }
                out += repeatElement(0x20, count: indent + 2)
                item(index, &out)
            }
            if count > 0 { out.append(0x0A) }
            out += repeatElement(0x20, count: indent)
        }
    }

    /// The encoder handed to `encode(to:)`: it fills `slot`, a node already in its parent (or the root), with the
    /// container or value asked of it. A super encoder is one of these on a slot of its own.
    final class TreeEncoder: Encoder {
        let codingPath: [any CodingKey]
        let slot: Node
        /// Whether anything was asked of it (a type may ask nothing: JSONEncoder's top level then refuses).
        private(set) var encoded = false
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        init(codingPath: [any CodingKey], slot: Node) {
            self.codingPath = codingPath
            self.slot = slot
        }

        /// `value` into the slot: a scalar's text, or whatever its `encode(to:)` asks of this encoder.
        func put<T: Encodable>(_ value: T) throws {
            if let scalar = try Node.scalar(value) { return set(scalar.kind) }
            try value.encode(to: self)
        }

        func set(_ kind: Node.Kind) {
            slot.kind = kind
            encoded = true
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            // Asked again (as a superclass does), the same object.
            if case .object = slot.kind, encoded {} else { set(.object([:])) }
            return KeyedEncodingContainer(Keyed<Key>(node: slot, codingPath: codingPath))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if case .array = slot.kind, encoded {} else { set(.array([])) }
            return Unkeyed(node: slot, codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(encoder: self) }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        let codingPath: [any CodingKey]

        private func set(_ value: Node, _ key: Key) { set(value, name: key.stringValue) }

        private func set(_ value: Node, name: String) {
            guard case .object(var fields) = node.kind else { return }
            node.kind = .object([:])  // one reference to the storage while it changes
            fields[name] = value
            node.kind = .object(fields)
        }

        mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { set(.text(value ? "true" : "false"), key) }
        mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
        mutating func encode(_ value: Double, forKey key: Key) throws { throw Unsupported() }
        mutating func encode(_ value: Float, forKey key: Key) throws { throw Unsupported() }
        mutating func encode(_ value: Int, forKey key: Key) throws { set(.text(String(value)), key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { set(.text(String(value)), key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { set(.text(String(value)), key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { set(.text(String(value)), key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { set(.text(String(value)), key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { set(.text(String(value)), key) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.text(String(value)), key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.text(String(value)), key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.text(String(value)), key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { set(.text(String(value)), key) }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            set(try Node.make(value, codingPath: codingPath + [key]), key)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type, forKey key: Key
        )
            -> KeyedEncodingContainer<NestedKey>
        {
            let child = Node(.object([:]))
            set(child, key)
            return KeyedEncodingContainer(Keyed<NestedKey>(node: child, codingPath: codingPath + [key]))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let child = Node(.array([]))
            set(child, key)
            return Unkeyed(node: child, codingPath: codingPath + [key])
        }

        mutating func superEncoder() -> any Encoder { superEncoder(named: "super", codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key.stringValue, codingPath: codingPath + [key]) }

        private func superEncoder(named name: String, codingPath: [any CodingKey]) -> any Encoder {
            let child = Node(.object([:]))
            set(child, name: name)
            return TreeEncoder(codingPath: codingPath, slot: child)
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        let codingPath: [any CodingKey]
        var count: Int {
            guard case .array(let items) = node.kind else { return 0 }
            return items.count
        }

        private func append(_ value: Node) {
            guard case .array(var items) = node.kind else { return }
            node.kind = .array([])
            items.append(value)
            node.kind = .array(items)
        }

        mutating func encodeNil() throws { append(.null) }
        mutating func encode(_ value: Bool) throws { append(.text(value ? "true" : "false")) }
        mutating func encode(_ value: String) throws { append(.string(value)) }
        mutating func encode(_ value: Double) throws { throw Unsupported() }
        mutating func encode(_ value: Float) throws { throw Unsupported() }
        mutating func encode(_ value: Int) throws { append(.text(String(value))) }
        mutating func encode(_ value: Int8) throws { append(.text(String(value))) }
        mutating func encode(_ value: Int16) throws { append(.text(String(value))) }
        mutating func encode(_ value: Int32) throws { append(.text(String(value))) }
        mutating func encode(_ value: Int64) throws { append(.text(String(value))) }
        mutating func encode(_ value: UInt) throws { append(.text(String(value))) }
        mutating func encode(_ value: UInt8) throws { append(.text(String(value))) }
        mutating func encode(_ value: UInt16) throws { append(.text(String(value))) }
        mutating func encode(_ value: UInt32) throws { append(.text(String(value))) }
        mutating func encode(_ value: UInt64) throws { append(.text(String(value))) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            append(try Node.make(value, codingPath: codingPath))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let child = Node(.object([:]))
            append(child)
            return KeyedEncodingContainer(Keyed<NestedKey>(node: child, codingPath: codingPath))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = Node(.array([]))
            append(child)
            return Unkeyed(node: child, codingPath: codingPath)
        }

        mutating func superEncoder() -> any Encoder {
            let child = Node(.object([:]))
            append(child)
            return TreeEncoder(codingPath: codingPath, slot: child)
        }
    }

    struct Single: SingleValueEncodingContainer {
        let encoder: TreeEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        private func set(_ node: Node) { encoder.set(node.kind) }

        mutating func encodeNil() throws { set(.null) }
        mutating func encode(_ value: Bool) throws { set(.text(value ? "true" : "false")) }
        mutating func encode(_ value: String) throws { set(.string(value)) }
        mutating func encode(_ value: Double) throws { throw Unsupported() }
        mutating func encode(_ value: Float) throws { throw Unsupported() }
        mutating func encode(_ value: Int) throws { set(.text(String(value))) }
        mutating func encode(_ value: Int8) throws { set(.text(String(value))) }
        mutating func encode(_ value: Int16) throws { set(.text(String(value))) }
        mutating func encode(_ value: Int32) throws { set(.text(String(value))) }
        mutating func encode(_ value: Int64) throws { set(.text(String(value))) }
        mutating func encode(_ value: UInt) throws { set(.text(String(value))) }
        mutating func encode(_ value: UInt8) throws { set(.text(String(value))) }
        mutating func encode(_ value: UInt16) throws { set(.text(String(value))) }
        mutating func encode(_ value: UInt32) throws { set(.text(String(value))) }
        mutating func encode(_ value: UInt64) throws { set(.text(String(value))) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            set(try Node.make(value, codingPath: codingPath))
        }
    }
}
