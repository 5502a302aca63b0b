import Diagnostics
import Foundation
import Testing
@testable import Manifest

@Suite struct LoaderTests {
    @Test func fiveDifferentMistakesAreAllReportedSortedByPosition() {
        let text = """
            version: 1
            containers:
              web:
                image: berth.local/busybox:demo
                withns: [network:/var/run/netns/blue]
                cpus: -1
                memory-limit: 12q
                mounts:
                  - {type: tmpfs, destination: scratch}
              db:
                depends-on: [web, cache]
            """
        #expect(
            Support.diagnostics(text) == [
                "berth.yaml:5:5: error: unknown key `withns` in container `web`; did you mean `with-ns`?",
                "berth.yaml:6:11: error: `cpus` must be greater than 0, got -1",
                "berth.yaml:7:19: error: invalid `memory-limit` `12q`: expected a positive number of bytes with an optional k, m or g suffix (e.g. 64m)",
                "berth.yaml:9:36: error: mount destination must be an absolute path, got `scratch`",
                "berth.yaml:10:3: error: container `db` needs `image`, `rootfs` or `checkpoint`",
                "berth.yaml:11:23: error: `depends-on` names container `cache`, which is not defined in this manifest",
            ])
    }

    @Test func cpusOutOfRangeAreRefusedWithTheirLocation() {
        let text = """
            version: 1
            containers:
              a: {image: i, cpus: 1e300}
              b: {image: i, cpus: .inf}
              c: {image: i, cpus: 0}
              d: {image: i, cpus: 100000000}
            """
        #expect(
            Support.diagnostics(text) == [
                "berth.yaml:3:23: error: `cpus` 1e+300 is too large: at most 100000000 (the kernel's CFS quota limit is about 1.7e8 CPUs)",
                "berth.yaml:4:23: error: `cpus` inf is too large: at most 100000000 (the kernel's CFS quota limit is about 1.7e8 CPUs)",
                "berth.yaml:5:23: error: `cpus` must be greater than 0, got 0",
            ])
    }

    @Test func diagnosticsErrorHasTheManifestCategory() throws {
        let error = try #require(throws: DiagnosticsError.self) { try Support.load("version: 3\ncontainers: {}\n") }
        #expect(error.category == .manifest)
        #expect(error.diagnostics.count == 2)
    }

    @Test func aMissingManifestIsAUsageErrorNamingTheFile() throws {
        let error = try #require(throws: ManifestFileError.self) {
            try ManifestLoader.load(path: "/nonexistent/berth.yaml", environment: [:])
        }
        #expect(error.category == .usage)
        #expect(error.message.contains("/nonexistent/berth.yaml"))
        #expect(error.underlying != nil)
    }

    @Test func loadFromPathResolvesRelativePathsAgainstTheManifestDirectory() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let file = try dir.write(
            "My Project!/berth.yaml",
            """
            version: 1
            containers:
              web:
                rootfs: ./rootfs
                config: ../spec.json
                env-files: app.env
                mounts: ["type=bind,src=data/./in,dst=/in"]
            """)
        let manifest = try ManifestLoader.load(path: file, environment: [:])
        let projectDir = dir.path + "/My Project!"
        #expect(manifest.name == "my-project-")
        #expect(manifest.directory == projectDir)
        #expect(manifest.path == file)
        let web = try #require(manifest.container(named: "web"))
        #expect(web.rootfs == projectDir + "/rootfs")
        #expect(web.config == dir.path + "/spec.json")
        #expect(web.envFiles == [projectDir + "/app.env"])
        #expect(web.mounts == [MountDefinition(type: "bind", source: projectDir + "/data/in", destination: "/in")])
    }

    struct NameCase: Sendable, CustomTestStringConvertible {
        var directory: String
        var expected: String?
        var testDescription: String { directory }
    }

    @Test(arguments: [
        NameCase(directory: "/srv/Demo App", expected: "demo-app"),
        NameCase(directory: "/srv/_hidden.stack", expected: "hidden-stack"),
        NameCase(directory: "/srv/stack_1.2-x", expected: "stack_1-2-x"),
        NameCase(directory: "/srv/ÜBER", expected: "ber"),
        NameCase(directory: "/srv/" + String(repeating: "a", count: 80), expected: String(repeating: "a", count: 63)),
        NameCase(directory: "/srv/___", expected: nil),
        NameCase(directory: "/", expected: nil),
    ])
    func projectNameDefaultsToTheNormalizedDirectoryName(_ c: NameCase) throws {
        let text = "version: 1\ncontainers:\n  web:\n    image: berth.local/busybox:demo\n"
        if let expected = c.expected {
            #expect(try Support.load(text, directory: c.directory).name == expected)
        } else {
            #expect(
                Support.diagnostics(text, directory: c.directory)
                    == ["berth.yaml:1:1: error: cannot derive a project name from directory `\(c.directory)`; set `name`"])
        }
    }

    @Test func containerLocationsPointAtEachFieldAndItem() throws {
        let text = """
            version: 1
            containers:
              web:
                image: berth.local/busybox:demo
                mounts:
                  - {type: tmpfs, destination: /a}
                  - type=tmpfs,dst=/b
                runtime: crun
            """
        let web = try #require(try Support.load(text).container(named: "web"))
        #expect(web.locations.container == SourceLocation(file: "berth.yaml", line: 3, column: 3))
        #expect(web.locations["image"] == SourceLocation(file: "berth.yaml", line: 4, column: 12))
        #expect(web.locations["mounts[1]"] == SourceLocation(file: "berth.yaml", line: 7, column: 9))
        #expect(web.locations["runtime"] == SourceLocation(file: "berth.yaml", line: 8, column: 14))
        #expect(web.locations["cpus"] == web.locations.container)
    }

    @Test func duplicateKeysAreAllReportedAndAliasesAreAllowed() {
        let text = """
            version: 1
            version: 1
            containers:
              web: &w
                image: berth.local/busybox:demo
                image: berth.local/busybox:demo
              web2: *w
              web: {image: berth.local/busybox:demo}
            """
        #expect(
            Support.diagnostics(text) == [
                "berth.yaml:2:1: error: duplicate key `version` (first defined at line 1, column 1)",
                "berth.yaml:6:5: error: duplicate key `image` (first defined at line 5, column 5)",
                "berth.yaml:8:3: error: duplicate key `web` (first defined at line 4, column 3)",
            ])
    }
}

@Suite struct YAMLComposerTests {
    @Test func deepNestingIsAnErrorNotACrash() {
        let text = "version: 1\ncontainers: " + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "\n"
        #expect(Support.diagnostics(text) == ["berth.yaml:2:268: error: invalid YAML: nesting deeper than 256 levels"])
    }

    @Test func multipleDocumentsAreRejected() {
        let text = "version: 1\ncontainers: {}\n---\nversion: 1\n"
        #expect(Support.diagnostics(text) == ["berth.yaml:3:1: error: invalid YAML: expected a single YAML document, found another"])
    }

    @Test func undefinedAliasIsASyntaxError() {
        #expect(Support.diagnostics("version: *nope\n") == ["berth.yaml:1:10: error: invalid YAML: found undefined alias `nope`"])
    }

    @Test func mergeKeysLetOwnKeysWin() throws {
        let text = """
            version: 1
            x-base: &base {image: berth.local/busybox:demo, tty: true, hostname: base}
            containers:
              web:
                <<: *base
                hostname: web
            """
        let web = try #require(try Support.load(text).container(named: "web"))
        #expect(web.hostname == "web")
        #expect(web.tty)
        #expect(web.image == "berth.local/busybox:demo")
    }
}
