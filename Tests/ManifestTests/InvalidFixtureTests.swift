import Foundation
import Testing
@testable import Manifest

/// Every Fixtures/invalid/NAME.yaml must fail with exactly the diagnostics in NAME.expected.
@Suite struct InvalidFixtureTests {
    static let names: [String] = {
        (try? Support.fixtureFiles("invalid").map { $0.deletingPathExtension().lastPathComponent }) ?? []
    }()

    /// `names` swallows a read error into no cases; this test reports it, and too few fixtures, as a failure.
    @Test func thereAreAtLeastFortyInvalidFixtures() throws {
        #expect(try Support.fixtureFiles("invalid").count >= 40)
        #expect(Self.names.count >= 40)
    }

    @Test(arguments: names)
    func reportsExpectedDiagnostics(name: String) throws {
        let file = try Support.fixtures.appendingPathComponent("invalid/\(name).yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        let lines = Support.diagnostics(text, name: "\(name).yaml")
        #expect(!lines.isEmpty, "\(name).yaml loaded without errors")
        try Support.expectGolden(lines.joined(separator: "\n") + "\n", sourceFolder: "invalid", name: "\(name).expected")
    }
}
