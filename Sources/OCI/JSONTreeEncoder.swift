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

    /// Set when an encoding took a path this encoder does not write (an unkeyed container's super encoder,
    /// whose calls cannot throw): the whole value then goes to JSONEncoder.
    final class Refusal {
        var refused = false
    }

    static func encode<T: Encodable>(_ value: T, pretty: Bool) throws -> Data {
        let refusal = Refusal()
        let encoder = TreeEncoder(codingPath: [], refusal: refusal)
        if let scalar = try Node.scalar(value) {
            encoder.root = scalar
        } else {
            try value.encode(to: encoder)
        }
        // JSONEncoder refuses a top-level value that encoded nothing; so does it here, through the fallback.
        guard let node = encoder.root, !refusal.refused else { throw Unsupported() }
        var out: [UInt8] = []
        out.reserveCapacity(16_384)
        node.write(into: &out, pretty: pretty, indent: 0)
        return Data(out)
    }

    /// A JSON value being built: scalars already in their JSON text, containers filled in place (a nested
    /// container is handed out before its contents are encoded).
    final class Node {
        enum Kind {
            case scalar([UInt8])
            case array([Node])
            case object([String: Node])
        }
        var kind: Kind

        init(_ kind: Kind) { self.kind = kind }

        static func make<T: Encodable>(_ value: T, codingPath: [any CodingKey], refusal: Refusal) throws -> Node {
            if let scalar = try scalar(value) { return scalar }
            let encoder = TreeEncoder(codingPath: codingPath, refusal: refusal)
            try value.encode(to: encoder)
            // A type that encodes nothing is an empty object, as JSONEncoder writes it.
            return encoder.root ?? Node(.object([:]))
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

        static func string(_ text: String) -> Node {
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
            return Node(.scalar(out))
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
                let keys = fields.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                out.append(0x7B)
                writeItems(keys.count, into: &out, pretty: pretty, indent: indent) { index, out in
                    if case .scalar(let key) = Node.string(keys[index]).kind { out += key }
                    out += pretty ? [0x20, 0x3A, 0x20] : [0x3A]
                    fields[keys[index]]!.write(into: &out, pretty: pretty, indent: indent + 2)
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

    /// The encoder handed to `encode(to:)`: the first container it gives out becomes its value.
    final class TreeEncoder: Encoder {
        let codingPath: [any CodingKey]
        let refusal: Refusal
        var userInfo: [CodingUserInfoKey: Any] { [:] }
        var root: Node?

        init(codingPath: [any CodingKey], refusal: Refusal) {
            self.codingPath = codingPath
            self.refusal = refusal
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            let node = existing(.object([:]))
            return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath, refusal: refusal))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            Unkeyed(node: existing(.array([])), codingPath: codingPath, refusal: refusal)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(encoder: self) }

        /// The root of the kind asked for, made on first use (a type may ask twice, as a superclass does).
        private func existing(_ kind: Node.Kind) -> Node {
            if let root {
                switch (root.kind, kind) {
                case (.object, .object), (.array, .array): return root
                default: break
                }
            }
            let node = Node(kind)
            root = node
            return node
        }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        let codingPath: [any CodingKey]
        let refusal: Refusal

        private func set(_ value: Node, _ key: Key) {
            guard case .object(var fields) = node.kind else { return }
            node.kind = .object([:])  // one reference to the storage while it changes
            fields[key.stringValue] = value
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
            set(try Node.make(value, codingPath: codingPath + [key], refusal: refusal), key)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type, forKey key: Key
        )
            -> KeyedEncodingContainer<NestedKey>
        {
            let child = Node(.object([:]))
            set(child, key)
            return KeyedEncodingContainer(Keyed<NestedKey>(node: child, codingPath: codingPath + [key], refusal: refusal))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let child = Node(.array([]))
            set(child, key)
            return Unkeyed(node: child, codingPath: codingPath + [key], refusal: refusal)
        }

        mutating func superEncoder() -> any Encoder { SuperEncoder(parent: node, key: "super", codingPath: codingPath, refusal: refusal) }
        mutating func superEncoder(forKey key: Key) -> any Encoder {
            SuperEncoder(parent: node, key: key.stringValue, codingPath: codingPath + [key], refusal: refusal)
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        let codingPath: [any CodingKey]
        let refusal: Refusal
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
            append(try Node.make(value, codingPath: codingPath, refusal: refusal))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let child = Node(.object([:]))
            append(child)
            return KeyedEncodingContainer(Keyed<NestedKey>(node: child, codingPath: codingPath, refusal: refusal))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = Node(.array([]))
            append(child)
            return Unkeyed(node: child, codingPath: codingPath, refusal: refusal)
        }

        mutating func superEncoder() -> any Encoder {
            // An element encoded through an encoder of its own: no type of Berth's does it, so JSONEncoder writes it.
            refusal.refused = true
            return TreeEncoder(codingPath: codingPath, refusal: refusal)
        }
    }

    struct Single: SingleValueEncodingContainer {
        let encoder: TreeEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        private func set(_ node: Node) { encoder.root = node }

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
            set(try Node.make(value, codingPath: codingPath, refusal: encoder.refusal))
        }
    }

    /// `superEncoder(forKey:)`: whatever is encoded through it becomes the value of `key` in `parent`.
    final class SuperEncoder: Encoder {
        let parent: Node
        let key: String
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }
        private let inner: TreeEncoder

        init(parent: Node, key: String, codingPath: [any CodingKey], refusal: Refusal) {
            self.parent = parent
            self.key = key
            self.codingPath = codingPath
            inner = TreeEncoder(codingPath: codingPath, refusal: refusal)
        }

        private func attach() {
            guard case .object(var fields) = parent.kind else { return }
            parent.kind = .object([:])
            fields[key] = inner.root ?? Node(.object([:]))
            parent.kind = .object(fields)
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            defer { attach() }
            return inner.container(keyedBy: type)
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            defer { attach() }
            return inner.unkeyedContainer()
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { SuperSingle(owner: self, inner: inner) }

        /// A single value is known only once it is encoded: attached after each encode.
        struct SuperSingle: SingleValueEncodingContainer {
            let owner: SuperEncoder
            let inner: TreeEncoder
            var codingPath: [any CodingKey] { owner.codingPath }
            private mutating func run(_ body: (inout Single) throws -> Void) throws {
                var single = Single(encoder: inner)
                try body(&single)
                owner.attach()
            }
            mutating func encodeNil() throws { try run { try $0.encodeNil() } }
            mutating func encode(_ value: Bool) throws { try run { try $0.encode(value) } }
            mutating func encode(_ value: String) throws { try run { try $0.encode(value) } }
            mutating func encode(_ value: Double) throws { throw Unsupported() }
            mutating func encode(_ value: Float) throws { throw Unsupported() }
            mutating func encode(_ value: Int) throws { try run { try $0.encode(value) } }
            mutating func encode(_ value: Int8) throws { try run { try $0.encode(value) } }
            mutating func encode(_ value: Int16) throws { try run { try $0.encode(value) } }
            mutating func encode(_ value: Int32) throws { try run { try $0.encode(value) } }
            mutating func encode(_ value: Int64) throws { try run { try $0.encode(value) } }
            mutating func encode(_ value: UInt) throws { try run { try $0.encode(value) } }
            mutating func encode(_ value: UInt8) throws { try run { try $0.encode(value) } }
            mutating func encode(_ value: UInt16) throws { try run { try $0.encode(value) } }
            mutating func encode(_ value: UInt32) throws { try run { try $0.encode(value) } }
            mutating func encode(_ value: UInt64) throws { try run { try $0.encode(value) } }
            mutating func encode<T: Encodable>(_ value: T) throws { try run { try $0.encode(value) } }
        }
    }
}
