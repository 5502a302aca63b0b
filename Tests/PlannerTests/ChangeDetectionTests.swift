import Foundation
import Manifest
import Testing
@testable import Planner

/// Every field of a container entry, its image digest, its env-files' contents and the containers whose
/// namespaces it joins are part of its config hash: changing any one makes the plan replace it.
@Suite struct ChangeDetectionTests {
    struct Mutation: CustomTestStringConvertible, Sendable {
        var field: String
        var change: @Sendable (inout ContainerDefinition) -> Void
        var testDescription: String { field }
    }

    static let base = ContainerDefinition(name: "web", image: "berth.local/busybox:demo", args: ["sh"])

    static let mutations: [Mutation] = [
        Mutation(field: "image") { $0.image = "berth.local/busybox:other" },
        Mutation(field: "args") { $0.args = ["sh", "-c", "true"] },
        Mutation(field: "cwd") { $0.cwd = "/srv" },
        Mutation(field: "env") { $0.env = ["A=1"] },
        Mutation(field: "mounts") { $0.mounts = [MountDefinition(type: "tmpfs", destination: "/t")] },
        Mutation(field: "with-ns") { $0.withNamespaces = [NamespaceJoin(type: "network", target: .path("/run/netns/x"))] },
        Mutation(field: "checkpoint") { $0.checkpoint = "berth.local/ckpt:1" },
        Mutation(field: "readonly") { $0.readonly = true },
        Mutation(field: "tty") { $0.tty = true },
        Mutation(field: "net-host") { $0.netHost = true },
        Mutation(field: "labels") { $0.labels = ["tier": "front"] },
        Mutation(field: "user") { $0.user = "1000" },
        Mutation(field: "hostname") { $0.hostname = "web" },
        Mutation(field: "privileged") { $0.privileged = true },
        Mutation(field: "memory-limit") { $0.memoryLimit = 1 << 20 },
        Mutation(field: "cpus") { $0.cpus = 0.5 },
        Mutation(field: "pids-limit") { $0.pidsLimit = 10 },
        Mutation(field: "runtime") { $0.runtime = "crun" },
        Mutation(field: "snapshotter") { $0.snapshotter = .native },
        Mutation(field: "rootfs") { $0.rootfs = "/srv/rootfs" },
        Mutation(field: "no-pivot") { $0.noPivot = true },
        Mutation(field: "config") { $0.config = "/srv/config.json" },
        Mutation(field: "depends-on") { $0.dependsOn = ["db"] },
    ]

    func hash(_ c: ContainerDefinition, image: String = "sha256:1", peers: [String] = []) throws -> String {
        Planner.configHash(canonical: try ManifestRenderer.canonicalJSON(of: c), imageDigest: image, peerHashes: peers)
    }

    @Test(arguments: mutations)
    func changingTheFieldChangesTheHash(_ m: Mutation) throws {
        var changed = Self.base
        m.change(&changed)
        #expect(try hash(changed) != hash(Self.base), "\(m.field) is not part of the config hash")
        let reasons = ChangeReasons.between(
            old: try ManifestRenderer.canonicalJSON(of: Self.base),
            new: try ManifestRenderer.canonicalJSON(of: changed))
        #expect(reasons.contains { $0.hasPrefix(m.field + " ") }, "no reason names \(m.field): \(reasons)")
    }

    @Test func theSameEntryHashesTheSame() throws {
        #expect(try hash(Self.base) == hash(Self.base))
    }

    @Test func imageDigestAndJoinedPeersArePartOfTheHash() throws {
        #expect(try hash(Self.base, image: "sha256:2") != hash(Self.base))
        #expect(try hash(Self.base, peers: ["db=sha256:a"]) != hash(Self.base, peers: ["db=sha256:b"]))
    }

    @Test func envFileContentIsPartOfTheHash() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-envfile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/web.env"
        var container = Self.base
        container.envFiles = [file]
        try Data("MODE=one\n".utf8).write(to: URL(fileURLWithPath: file))
        let first = try hash(container)
        try Data("MODE=two\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try hash(container) != first)
    }
}

/// Values read from env-files never reach a plan's reasons unless asked for.
@Suite struct EnvRedactionTests {
    static func canonical(_ env: [String]) throws -> Data {
        try JSONSerialization.data(withJSONObject: ["env": env], options: [.sortedKeys])
    }

    @Test func valuesFromEnvFilesAreShownAsKeyAndDigest() throws {
        let reasons = ChangeReasons.between(
            old: try Self.canonical(["DB_PASSWORD=hunter2", "MODE=a"]), new: try Self.canonical(["DB_PASSWORD=correct horse", "MODE=b"]),
            envKeysShown: ["MODE"])
        let text = reasons.joined(separator: "\n")
        #expect(!text.contains("hunter2") && !text.contains("correct horse"), "\(text)")
        #expect(text.contains("DB_PASSWORD=<sha256:") && text.contains("MODE=a") && text.contains("MODE=b"), "\(text)")
        let shown = ChangeReasons.between(
            old: try Self.canonical(["DB_PASSWORD=hunter2"]), new: try Self.canonical(["DB_PASSWORD=x"]), envKeysShown: nil)
        #expect(shown.joined().contains("hunter2"))
    }
}
