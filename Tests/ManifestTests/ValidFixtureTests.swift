import Foundation
import Testing
@testable import Manifest

/// Every Fixtures/valid/NAME.yaml loads; its normalized form matches NAME.expected.yaml / .json,
/// and the rendered YAML loads back to the same manifest.
@Suite struct ValidFixtureTests {
    static let names: [String] = {
        (try? Support.fixtureFiles("valid").map { $0.deletingPathExtension().lastPathComponent }) ?? []
    }()
    static let environment = ["TAG": "demo", "CPUS": "1.5", "HOST": "two-host", "OWNER": "ops"]

    /// `names` swallows a read error into no cases; this test reports it, and an empty folder, as a failure.
    @Test func findsTheValidFixtures() throws {
        let files = try Support.fixtureFiles("valid")
        #expect(files.count >= 5, "expected at least 5 fixtures in Fixtures/valid, found \(files.count)")
        #expect(Self.names.count == files.count)
    }

    static func load(_ name: String) throws -> ProjectManifest {
        let text = try String(contentsOf: Support.fixtures.appendingPathComponent("valid/\(name).yaml"), encoding: .utf8)
        return try Support.load(text, name: "\(name).yaml", environment: environment)
    }

    /// The config hash's input is JSONEncoder's bytes whichever encoder writes them (`CanonicalJSON`): a change
    /// there would replace every running container at the next apply.
    @Test(arguments: names)
    func containersCanonicalJSONIsJSONEncoders(name: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for container in try Self.load(name).containers {
            var canonical = try CanonicalContainer(container)
            canonical.pull = nil
            #expect(try ManifestRenderer.canonicalJSON(of: container) == encoder.encode(canonical), "\(name): \(container.name)")
        }
    }

    @Test(arguments: names)
    func rendersGoldenYAML(name: String) throws {
        let yaml = try ManifestRenderer.render(Self.load(name), format: .yaml)
        try Support.expectGolden(yaml, sourceFolder: "valid", name: "\(name).expected.yaml")
    }

    @Test(arguments: names)
    func rendersGoldenJSON(name: String) throws {
        let json = try ManifestRenderer.render(Self.load(name), format: .json)
        try Support.expectGolden(json, sourceFolder: "valid", name: "\(name).expected.json")
    }

    @Test(arguments: names)
    func renderedYAMLLoadsBackUnchanged(name: String) throws {
        let manifest = try Self.load(name)
        let yaml = try ManifestRenderer.render(manifest, format: .yaml)
        let again = try Support.load(yaml, name: "rendered.yaml", environment: [:])
        #expect(try CanonicalManifest(again) == CanonicalManifest(manifest))
        #expect(try ManifestRenderer.render(again, format: .yaml) == yaml)
    }
}
