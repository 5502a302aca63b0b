import Foundation
import Testing
@testable import Manifest

/// Each examples/NAME directory holds a berth.yaml that loads, passes the host checks, and a one-line README.md.
@Suite struct ExamplesTests {
    static let names: [String] = {
        let dir = Support.packageRoot.appendingPathComponent("examples").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { FileManager.default.fileExists(atPath: dir + "/" + $0 + "/berth.yaml") }.sorted()
    }()

    @Test func theRequiredExamplesExist() {
        #expect(Set(Self.names).isSuperset(of: ["hello", "shared-netns", "mounts", "readonly-root", "test-job"]))
    }

    @Test(arguments: names)
    func exampleLoadsAndPassesHostChecks(name: String) throws {
        let dir = Support.packageRoot.appendingPathComponent("examples/\(name)")
        let manifest = try ManifestLoader.load(path: dir.appendingPathComponent("berth.yaml").path, environment: [:])
        #expect(!manifest.containers.isEmpty)
        for container in manifest.containers where container.image != nil {
            #expect(container.image == "berth.local/busybox:demo")
        }
        #expect(HostValidator.check(manifest) == [])
        let readme = try String(contentsOf: dir.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.split(separator: "\n").count == 1)
    }

    @Test func sharedNetnsClientJoinsTheServer() throws {
        let path = Support.packageRoot.appendingPathComponent("examples/shared-netns/berth.yaml").path
        let client = try #require(try ManifestLoader.load(path: path, environment: [:]).container(named: "client"))
        #expect(client.withNamespaces == [NamespaceJoin(type: "network", target: .container("server"))])
    }

    @Test func testJobFoldsEnvFilesBeforeEnvAndKeepsShellDollars() throws {
        let path = Support.packageRoot.appendingPathComponent("examples/test-job/berth.yaml").path
        let job = try #require(try ManifestLoader.load(path: path, environment: ["EXIT_CODE": "3"]).container(named: "check"))
        #expect(try job.resolvedEnvironment() == ["SUITE=smoke", "GREETING=hello"])
        let script = try #require(job.args?.last)
        #expect(script.contains("test \"$GREETING\" = hello"))
        #expect(script.hasSuffix("exit 3"))
    }
}
