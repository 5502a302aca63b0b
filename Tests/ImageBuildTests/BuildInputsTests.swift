import Foundation
import Manifest
import Testing

@testable import ImageBuild

@Suite struct DockerIgnoreTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var patterns: String
        var path: String
        var excluded: Bool
        var testDescription: String { "\(patterns.replacingOccurrences(of: "\n", with: " | ")) ~ \(path)" }
    }

    @Test(arguments: [
        Case(patterns: "*.log", path: "a.log", excluded: true),
        Case(patterns: "*.log", path: "dir/a.log", excluded: false),
        Case(patterns: "**/*.log", path: "dir/sub/a.log", excluded: true),
        Case(patterns: "node_modules", path: "node_modules/x/y.js", excluded: true),
        Case(patterns: "/build/", path: "build/out", excluded: true),
        Case(patterns: "*.md\n!README.md", path: "README.md", excluded: false),
        Case(patterns: "*.md\n!README.md", path: "NOTES.md", excluded: true),
        Case(patterns: "# comment\n\ntmp?", path: "tmp1", excluded: true),
        Case(patterns: "src/[ab].c", path: "src/b.c", excluded: true),
        Case(patterns: "src/[ab].c", path: "src/c.c", excluded: false),
        Case(patterns: "a(b)+.txt", path: "a(b)+.txt", excluded: true),
    ])
    func matches(_ c: Case) {
        #expect(DockerIgnore(text: c.patterns).excludes(c.path) == c.excluded)
    }
}

@Suite struct BuildInputsTests {
    static func context() throws -> String {
        let dir = NSTemporaryDirectory() + "berth-build-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/src", withIntermediateDirectories: true)
        try Data("FROM scratch\n".utf8).write(to: URL(fileURLWithPath: dir + "/Dockerfile"))
        try Data("print(1)\n".utf8).write(to: URL(fileURLWithPath: dir + "/src/app.py"))
        try Data("noise\n".utf8).write(to: URL(fileURLWithPath: dir + "/debug.log"))
        try Data("*.log\n".utf8).write(to: URL(fileURLWithPath: dir + "/.dockerignore"))
        return dir
    }

    @Test func theKeyMovesWithWhatTheBuildReadsOnly() throws {
        let dir = try Self.context()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let build = BuildDefinition(context: dir, args: ["A": "1"])
        let first = try BuildInputs.read(build)
        #expect(first.files.keys.sorted() == [".dockerignore", "Dockerfile", "src/app.py"])
        try Data("more noise\n".utf8).write(to: URL(fileURLWithPath: dir + "/debug.log"))
        #expect(try BuildInputs.read(build).key == first.key, "an ignored file changed the key")

        try Data("print(2)\n".utf8).write(to: URL(fileURLWithPath: dir + "/src/app.py"))
        let second = try BuildInputs.read(build)
        #expect(second.key != first.key)
        #expect(second.changes(since: first) == ["context changed (src/app.py)"])

        var other = build
        other.args = ["A": "2"]
        #expect(try BuildInputs.read(other).changes(since: second) == ["build arguments, target or labels changed"])
        other.dockerfileInline = "FROM busybox\n"
        #expect(try BuildInputs.read(other).changes(since: second).first == "Dockerfile changed")
    }

    @Test func aMissingContextOrDockerfileIsNamed() throws {
        #expect(throws: BuildError.self) { try BuildInputs.read(BuildDefinition(context: "/nonexistent/ctx")) }
        let dir = try Self.context()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            _ = try BuildInputs.read(BuildDefinition(context: dir, dockerfile: "Other.Dockerfile"))
            Issue.record("no error for a missing Dockerfile")
        } catch let error as BuildError {
            #expect(error.message.contains("Other.Dockerfile"))
        }
    }
}
