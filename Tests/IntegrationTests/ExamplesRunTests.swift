import Foundation
import Testing

/// Every example in examples/ runs with `berth apply --wait` against real runc and exits 0.
@Suite(.serialized) struct ExamplesRunTests {
    static let examples: [String] = {
        let dir = BerthFixture.packageRoot + "/examples"
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { FileManager.default.fileExists(atPath: "\(dir)/\($0)/berth.yaml") }.sorted()
    }()

    @Test func theExamplesAreFound() {
        #expect(Self.examples.contains("hello"))
        #expect(Self.examples.count >= 5)
    }

    @Test(arguments: examples)
    func exampleRuns(_ name: String) throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = BerthFixture.packageRoot + "/examples/\(name)/berth.yaml"
        let project = "it-ex-\(name)"
        fixture.track(manifest: manifest, project: project)
        let result = try fixture.run(["apply", "-f", manifest, "-p", project, "--wait"])
        #expect(result.status == 0, "example \(name): stdout \(result.stdoutText) stderr \(result.stderrText)")
        #expect(!result.stdoutText.isEmpty)
    }
}
