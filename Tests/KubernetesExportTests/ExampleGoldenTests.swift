import Foundation
import KubernetesExport
import Manifest
import Testing

/// One example manifest exported with some options, compared with Golden/example-<name>.yaml.
struct ExampleCase: CustomTestStringConvertible, Sendable {
    var example: String
    var workload: ExportOptions.Workload = .deployment
    var golden: String { workload == .deployment ? "example-\(example)" : "example-\(example)-\(workload.rawValue)" }
    var testDescription: String { golden }

    /// Every examples/*/berth.yaml with the default options, plus the one-shot ones as a Pod and a Job.
    static var all: [ExampleCase] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: examplesDirectory)) ?? []
        let examples = names.filter { FileManager.default.fileExists(atPath: "\(examplesDirectory)/\($0)/berth.yaml") }.sorted()
        return examples.map { ExampleCase(example: $0) }
            + [ExampleCase(example: "hello", workload: .pod), ExampleCase(example: "test-job", workload: .job)]
    }

    /// The export as `-o -` prints it, preceded by its warnings as comments; the checkout path reads `<examples>`.
    func exported() throws -> (text: String, result: ExportResult) {
        let directory = "\(examplesDirectory)/\(example)"
        let text = try String(contentsOfFile: directory + "/berth.yaml", encoding: .utf8)
        let manifest = try ManifestLoader.load(
            text: text, path: "examples/\(example)/berth.yaml", directory: directory,
            environment: [:])
        let result = try KubernetesExporter.export(manifest, options: ExportOptions(workload: workload))
        let warnings = result.warnings.map { "# \($0.description)\n" }.joined()
        let output = (warnings + result.stream).replacingOccurrences(of: examplesDirectory, with: "<examples>")
        return (output, result)
    }
}

@Suite("Examples")
struct ExampleGoldenTests {
    @Test func everyExampleIsCovered() {
        let examples = Set(ExampleCase.all.map(\.example))
        #expect(examples.isSuperset(of: ["hello", "mounts", "readonly-root", "shared-netns", "test-job"]))
    }

    @Test(arguments: ExampleCase.all)
    func golden(_ testCase: ExampleCase) throws {
        let first = try testCase.exported()
        let second = try testCase.exported()
        #expect(first.text == second.text, "export is not deterministic")
        try Golden.check(first.text, name: testCase.golden)
    }

    @Test func examplesPassKubernetesValidate() throws {
        try KubeValidate.require()
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        var files: [String] = []
        for testCase in ExampleCase.all {
            for document in try testCase.exported().result.documents {
                let file = "\(scratch.path)/\(testCase.golden)-\(document.fileName)"
                try Data(document.yaml.utf8).write(to: URL(fileURLWithPath: file))
                files.append(file)
            }
        }
        let result = try KubeValidate.validate(files: files)
        #expect(result.status == 0, "kubernetes-validate --strict failed:\n\(result.output)")
    }
}
