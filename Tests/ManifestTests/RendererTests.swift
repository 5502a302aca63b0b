import Diagnostics
import Foundation
import Testing
@testable import Manifest

@Suite struct RendererTests {
    static let text = """
        version: 1
        name: render
        containers:
          zeta:
            image: berth.local/busybox:demo
            labels: {b: "2", a: "1", c: "3"}
            env: {Z: last, A: first, M: middle}
            env-files: [./one.env, ./two.env]
          alpha:
            image: berth.local/busybox:demo
            cpus: 2
            memory-limit: 1g
        """

    @Test func renderingIsByteIdenticalAcrossRunsAndLoads() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.write("one.env", "A=from-file\nONLY_ONE=1\n")
        try dir.write("two.env", "ONLY_ONE=2\nTWO=2\n")
        for format in ManifestRenderer.Format.allCases {
            let first = try ManifestRenderer.render(Support.load(Self.text, directory: dir.path), format: format)
            let second = try ManifestRenderer.render(Support.load(Self.text, directory: dir.path), format: format)
            #expect(first == second)
            #expect(Data(first.utf8) == Data(second.utf8))
        }
    }

    @Test func envFilesAreFoldedInBeforeEnvAndRemovedFromTheOutput() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.write("one.env", "A=from-file\nONLY_ONE=1\n")
        try dir.write("two.env", "ONLY_ONE=2\nTWO=2\n")
        let manifest = try Support.load(Self.text, directory: dir.path)
        let zeta = try #require(manifest.container(named: "zeta"))
        #expect(zeta.env == ["A=first", "M=middle", "Z=last"])
        #expect(try zeta.resolvedEnvironment() == ["A=first", "ONLY_ONE=2", "TWO=2", "M=middle", "Z=last"])
        let json = try ManifestRenderer.render(manifest, format: .json)
        #expect(!json.contains("env-files"))
        #expect(json.contains("\"ONLY_ONE=2\""))
        let yaml = try ManifestRenderer.render(manifest, format: .yaml)
        #expect(yaml.hasPrefix("containers:\n  alpha:\n"))
        #expect(yaml.contains("memory-limit: 1073741824\n"))
        #expect(yaml.contains("cpus: 2.0\n"))
    }

    @Test func renderingFailsWhenAnEnvFileIsMissing() throws {
        let manifest = try Support.load(Self.text, directory: "/nonexistent-berth-dir")
        #expect(throws: ManifestFileError.self) { try ManifestRenderer.render(manifest, format: .yaml) }
    }

    @Test func canonicalJSONIsSortedCompactAndChangesWithTheConfig() throws {
        let base = ContainerDefinition(name: "web", image: "berth.local/busybox:demo", env: ["B=2", "A=1"], labels: ["z": "1", "a": "2"])
        let json = String(decoding: try ManifestRenderer.canonicalJSON(of: base), as: UTF8.self)
        #expect(
            json
                == #"{"depends-on":[],"env":["B=2","A=1"],"image":"berth.local/busybox:demo","labels":{"a":"2","z":"1"},"mounts":[],"net-host":false,"no-pivot":false,"privileged":false,"readonly":false,"runtime":"runc","snapshotter":"overlayfs","tty":false,"with-ns":[]}"#
        )
        var changed = base
        changed.readonly = true
        #expect(try ManifestRenderer.canonicalJSON(of: changed) != ManifestRenderer.canonicalJSON(of: base))
        var moved = base
        moved.locations = FieldLocations(container: .init(file: "other.yaml", line: 9, column: 9))
        #expect(try ManifestRenderer.canonicalJSON(of: moved) == ManifestRenderer.canonicalJSON(of: base))
    }

    @Test func dollarsAreEscapedInRenderedOutputOnly() throws {
        let text = "version: 1\ncontainers:\n  web:\n    image: berth.local/busybox:demo\n    args: [sh, -c, 'echo $$HOME']\n"
        let manifest = try Support.load(text)
        #expect(manifest.container(named: "web")?.args == ["sh", "-c", "echo $HOME"])
        #expect(try ManifestRenderer.render(manifest, format: .yaml).contains("echo $$HOME"))
        let web = try #require(manifest.container(named: "web"))
        #expect(String(decoding: try ManifestRenderer.canonicalJSON(of: web), as: UTF8.self).contains("echo $HOME"))
    }
}

@Suite struct EnvFileTests {
    @Test func parsesLinesSkippingCommentsAndBlanks() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let file = try dir.write("a.env", "# comment\n\nA=1\nB = spaced \nC=x=y\r\nEMPTY=\n   # indented comment\n")
        #expect(try EnvFile.parse(path: file) == ["A=1", "B = spaced ", "C=x=y", "EMPTY="])
    }

    @Test func reportsEveryBadLineWithFileAndLine() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let file = try dir.write("bad.env", "A=1\nNOEQUALS\n=novalue\n")
        let error = try #require(throws: DiagnosticsError.self) { try EnvFile.parse(path: file) }
        #expect(
            error.diagnostics.map(\.description) == [
                "\(file):2:1: error: line `NOEQUALS` is not `KEY=VALUE`",
                "\(file):3:1: error: line `=novalue` is not `KEY=VALUE`",
            ])
    }

    @Test func aMissingFileIsAnErrorNamingIt() throws {
        let error = try #require(throws: ManifestFileError.self) { try EnvFile.parse(path: "/nonexistent/x.env") }
        #expect(error.code == "env-file-unreadable")
        #expect(error.message.contains("/nonexistent/x.env"))
    }
}
