import Diagnostics
import Foundation
import Testing
import TestSupport
@testable import Manifest

/// Shared helpers for the manifest tests: fixtures, goldens, temp directories.
enum Support {
    static var fixtures: URL {
        get throws {
            try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        }
    }

    /// The package root, found from this source file (examples/ and schemas/ live there).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The fixture files with `ext` in `folder`, sorted by name.
    static func fixtureFiles(_ folder: String, ext: String = "yaml") throws -> [URL] {
        let dir = try fixtures.appendingPathComponent(folder)
        return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == ext && !$0.lastPathComponent.hasSuffix(".expected.yaml") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Compares `actual` with the golden file in the source tree (see `GoldenFile`).
    static func expectGolden(
        _ actual: String, sourceFolder: String, name: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let golden = packageRoot.appendingPathComponent("Tests/ManifestTests/Fixtures/\(sourceFolder)/\(name)")
        try GoldenFile.check(
            actual, expected: golden, source: golden, label: "golden \(sourceFolder)/\(name)",
            sourceLocation: sourceLocation)
    }

    /// Loads manifest text as `name` in a fixed, machine-independent directory.
    static func load(
        _ text: String, name: String = "berth.yaml", directory: String = "/project",
        environment: [String: String] = [:]
    ) throws -> ProjectManifest {
        try ManifestLoader.load(text: text, path: name, directory: directory, environment: environment)
    }

    /// The diagnostics `load` reports, one `file:line:col: error: message` per line; empty when it loads.
    static func diagnostics(
        _ text: String, name: String = "berth.yaml", directory: String = "/project",
        environment: [String: String] = [:]
    ) -> [String] {
        do {
            _ = try load(text, name: name, directory: directory, environment: environment)
            return []
        } catch let error as DiagnosticsError {
            return error.diagnostics.map(\.description)
        } catch {
            return ["unexpected error: \(error)"]
        }
    }
}

/// A scratch directory under /tmp; each test removes it with `defer { dir.remove() }`.
struct TempDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "berth-manifest-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }
}
