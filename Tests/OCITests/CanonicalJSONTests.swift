import Foundation
import Testing

@testable import OCI

/// Berth's own JSON encoder against JSONEncoder with the same options: the same bytes for every value, and
/// JSONEncoder itself for the types whose JSON it chooses (floating point, Data, Date, URL).
@Suite struct CanonicalJSONTests {
    private static func foundation<T: Encodable>(_ value: T, pretty: Bool) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        if pretty { data.append(0x0A) }
        return data
    }

    /// `native`: written by Berth's encoder, not handed to JSONEncoder.
    private static func expectSame<T: Encodable>(_ value: T, native: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(((try? JSONTreeEncoder.encode(value, pretty: true)) != nil) == native, sourceLocation: sourceLocation)
        let pretty = try CanonicalJSON.encodePretty(value)
        let compact = try CanonicalJSON.encode(value)
        #expect(
            String(decoding: pretty, as: UTF8.self) == String(decoding: try foundation(value, pretty: true), as: UTF8.self),
            sourceLocation: sourceLocation)
        #expect(compact == (try foundation(value, pretty: false)), sourceLocation: sourceLocation)
    }

    /// Every golden runtime spec of the spec builder's tests, decoded and encoded again; none needs JSONEncoder.
    @Test func runtimeSpecsAreWrittenAsJSONEncoderWritesThem() throws {
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SpecBuilderTests/Golden").path
        let files = try FileManager.default.contentsOfDirectory(atPath: golden).filter { $0.hasSuffix(".json") }.sorted()
        var specs = 0
        for file in files {
            let data = try #require(FileManager.default.contents(atPath: golden + "/" + file))
            guard let spec = try? JSONDecoder().decode(RuntimeSpec.self, from: data) else { continue }
            specs += 1
            try Self.expectSame(spec)
        }
        #expect(specs > 10)
    }

    @Test func stringsAreEscapedAsJSONEncoderEscapesThem() throws {
        let strings = [
            "", "plain", "q\"uote", "back\\slash", "/a/b/", "\n\r\t\u{08}\u{0C}", "\u{0}\u{1}\u{1f}\u{0b}\u{7f}", "é e\u{301} 😀 \u{2028}",
            "\u{FEFF}bom", "</script>",
        ]
        try Self.expectSame(strings)
        try Self.expectSame(Dictionary(uniqueKeysWithValues: strings.enumerated().map { ("k\($0.offset)\($0.element)", $0.element) }))
    }

    @Test func keysAreSortedByTheirBytes() throws {
        let keys = ["b", "B", "a10", "a9", "_x", "é", "e\u{301}x", "Z", "a", "ab", "a.b", "a-b", "", " ", "~", "io.berth.x"]
        try Self.expectSame(Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($0.element, $0.offset) }))
        try Self.expectSame([Int: String](uniqueKeysWithValues: [(10, "ten"), (9, "nine"), (-1, "minus")]))
    }

    private struct Nested: Codable, Equatable {
        var name: String
        var empty: [Int] = []
        var emptyObject: [String: String] = [:]
        var optional: String?
        var present: Int64? = .max
        var deep: [[[UInt64]]] = [[], [[]], [[0, .max]]]
        var flags: [Bool] = [true, false]
        var small: [Int8] = [.min, .max]
        var json: JSONValue = .object(["a": .array([.null, .int(.min), .string("x"), .object([:]), .array([])]), "b": .bool(false)])
        var child: [Nested] = []
    }

    @Test func containersOptionalsAndIntegersAreWrittenAsJSONEncoderWritesThem() throws {
        let leaf = Nested(name: "leaf", optional: "here")
        try Self.expectSame(Nested(name: "root", optional: nil, child: [leaf, leaf]))
        try Self.expectSame([leaf])
        try Self.expectSame("top-level string")
        try Self.expectSame(42)
        try Self.expectSame([String: [String: [Int]]]())
        try Self.expectSame(Optional<Int>.none)
    }

    private class Base: Encodable {
        var base = "b"
        private enum Keys: String, CodingKey { case base }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(base, forKey: .base)
        }
    }

    private final class Derived: Base {
        var own = 1
        private enum Keys: String, CodingKey { case own, parent }
        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(own, forKey: .own)
            try super.encode(to: container.superEncoder(forKey: .parent))
            try super.encode(to: container.superEncoder())
        }
    }

    /// Elements of an array encoded through super encoders: a value, a keyed container, nothing at all.
    private struct ThroughSuper: Encodable {
        func encode(to encoder: any Encoder) throws {
            var list = encoder.unkeyedContainer()
            var single = list.superEncoder().singleValueContainer()
            try single.encode("first")
            try Base().encode(to: list.superEncoder())
            _ = list.superEncoder()
            try list.encode(4)
        }
    }

    @Test func superEncodersAreWrittenAsJSONEncoderWritesThem() throws {
        try Self.expectSame(Derived())
        try Self.expectSame(ThroughSuper())
        try Self.expectSame([Derived()])
    }

    private struct Floating: Encodable {
        var ratio = 0.1
        var whole = 1.0
        var blob = Data([0, 1, 2, 255])
        var when = Date(timeIntervalSince1970: 1_700_000_000)
        var link = URL(string: "https://example.com/a b")
    }

    @Test func typesJSONEncoderWritesItsOwnWayGoToIt() throws {
        #expect(throws: JSONTreeEncoder.Unsupported.self) { try JSONTreeEncoder.encode(Floating(), pretty: true) }
        try Self.expectSame(Floating(), native: false)
        try Self.expectSame([JSONValue.double(2.5), .int(3)], native: false)
    }

    private struct Silent: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    @Test func aValueThatEncodesNothingFailsAsWithJSONEncoder() throws {
        #expect(throws: (any Error).self) { try CanonicalJSON.encodePretty(Silent()) }
        try Self.expectSame(["inner": [Silent()]])
    }
}
