import Foundation
import Testing
@testable import Manifest

/// The JSON Schema and the Swift validator agree: valid fixtures and examples pass both,
/// invalid fixtures named `structural-*` fail both.
@Suite struct SchemaAgreementTests {
    static func exampleManifests() throws -> [String] {
        let dir = Support.packageRoot.appendingPathComponent("examples")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
            .map { dir.appendingPathComponent($0).appendingPathComponent("berth.yaml").path }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }

    @Test func pythonHasJSONSchemaAndYAML() throws {
        #expect(
            FileManager.default.isExecutableFile(atPath: SchemaValidator.python),
            "\(SchemaValidator.python) is missing; install python3, python3-jsonschema and python3-yaml")
        _ = try SchemaValidator.errors(for: [])
    }

    @Test func validFixturesAndExamplesPassTheSchema() throws {
        let files = try Support.fixtureFiles("valid").map(\.path) + Self.exampleManifests()
        #expect(files.count >= 9)
        let results = try SchemaValidator.errors(for: files)
        for file in files {
            #expect(results[file] == [], "\(file) fails the schema: \(results[file] ?? ["no result"])")
        }
    }

    @Test func structuralInvalidFixturesFailTheSchemaAndTheLoader() throws {
        let files = try Support.fixtureFiles("invalid").filter { $0.lastPathComponent.hasPrefix("structural-") }
        #expect(files.count >= 25)
        let results = try SchemaValidator.errors(for: files.map(\.path))
        for file in files {
            #expect(results[file.path]?.isEmpty == false, "\(file.lastPathComponent) passes the schema but is invalid")
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(!Support.diagnostics(text, name: file.lastPathComponent).isEmpty)
        }
    }

    @Test func schemaDescribesEveryContainerKey() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: SchemaValidator.schemaPath))
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let defs = try #require(schema["$defs"] as? [String: Any])
        let container = try #require(defs["container"] as? [String: Any])
        let properties = try #require(container["properties"] as? [String: [String: Any]])
        #expect(Set(properties.keys) == Set(ManifestRules.containerKeys))
        for (key, property) in properties {
            #expect((property["description"] as? String)?.isEmpty == false, "`\(key)` has no description")
        }
        let top = try #require(schema["properties"] as? [String: Any])
        #expect(Set(top.keys) == Set(ManifestRules.topLevelKeys))
    }
}
