import Foundation
import Runtime
import Testing

/// `berth apply` of a manifest whose image lives only in a registry: a real docker-registry on loopback,
/// fed by skopeo from an OCI archive Berth exported.
@Suite(.serialized) struct PullApplyTests {
    @Test func applyPullsVerifiesUnpacksAndRuns() throws {
        let source = try BerthFixture()
        try source.importBusybox()
        let archive = source.work + "/demo.tar"
        #expect(try source.run(["image", "export", "berth.local/busybox:demo", "-o", archive]).status == 0)
        let expected = try source.run(["image", "inspect", "berth.local/busybox:demo"]).stdoutText

        let registry = try LoopbackRegistry(directory: source.work + "/registry")
        defer { registry.stop() }
        let pushed = try ProcessRunner().run(
            "/usr/bin/skopeo",
            [
                "copy", "--quiet", "--preserve-digests", "--dest-tls-verify=false",
                "oci-archive:\(archive):berth.local/busybox:demo", "docker://\(registry.address)/busybox:demo",
            ])
        #expect(pushed.status == 0, "skopeo: \(pushed.stderrText)")

        // A fresh state root: the image is only in the registry.
        let fixture = try BerthFixture()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-pull
            containers:
              hello:
                image: \(registry.address)/busybox:demo
                pull: always
                args: ["sh", "-c", "echo pulled and running"]
            """, project: "it-pull")
        let plan = try fixture.run(["plan", "-f", manifest])
        #expect(plan.status == 0, "\(plan.stderrText)")
        #expect(plan.stdoutText.contains("(to pull)"), "\(plan.stdoutText)")
        let result = try fixture.run(["apply", "-f", manifest, "--wait"])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stdoutText == "pulled and running\n")
        // Same manifest and config digests as the image that was pushed.
        let pulled = try fixture.run(["image", "inspect", "\(registry.address)/busybox:demo"]).stdoutText
        func digests(_ text: String) -> [String] {
            text.split(separator: "\n").filter { $0.contains("sha256:") }.map { String($0.split(separator: ":").last ?? "") }
        }
        #expect(!digests(expected).isEmpty)
        #expect(digests(pulled) == digests(expected))
        // Up to date: the next plan pulls nothing.
        let again = try fixture.run(["plan", "-f", manifest])
        #expect(!again.stdoutText.contains("(to pull)"), "\(again.stdoutText)")
    }

    @Test func savedPlanIsRefusedWhenTheTagMovedInTheRegistry() throws {
        let source = try BerthFixture()
        try source.importBusybox()
        let registry = try LoopbackRegistry(directory: source.work + "/registry")
        defer { registry.stop() }
        func push(_ tag: String) throws {
            let archive = source.work + "/\(UUID().uuidString.prefix(6)).tar"
            #expect(try source.run(["image", "export", tag, "-o", archive]).status == 0)
            let pushed = try ProcessRunner().run(
                "/usr/bin/skopeo",
                [
                    "copy", "--quiet", "--preserve-digests", "--dest-tls-verify=false",
                    "oci-archive:\(archive):\(tag)", "docker://\(registry.address)/app:v1",
                ])
            #expect(pushed.status == 0, "skopeo: \(pushed.stderrText)")
        }
        try push("berth.local/busybox:demo")

        let fixture = try BerthFixture()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-pull-saved
            containers:
              app:
                image: \(registry.address)/app:v1
                pull: always
                args: ["true"]
            """, project: "it-pull-saved")
        let planFile = fixture.work + "/plan.json"
        let planned = try fixture.run(["plan", "-f", manifest, "-o", planFile])
        #expect(planned.status == 0, "\(planned.stderrText)")

        // Another image under the same tag: the saved plan no longer describes what would run.
        let other = source.work + "/other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try "moved\n".write(toFile: other + "/marker", atomically: true, encoding: .utf8)
        #expect(try source.run(["image", "import", "--rootfs", other, "--tag", "berth.local/other:1"]).status == 0)
        try push("berth.local/other:1")
        let refused = try fixture.run(["apply", planFile])
        #expect(refused.status != 0)
        #expect(refused.stderrText.contains("the plan is out of date"), "\(refused.stderrText)")
        #expect(refused.stderrText.contains("in the registry when planned"), "\(refused.stderrText)")
        let ps = try fixture.run(["ps", "-p", "it-pull-saved", "--format", "json"])
        #expect(!ps.stdoutText.contains("\"name\""), "nothing may have been created: \(ps.stdoutText)")
    }

    @Test func neverPolicyWithAMissingImageIsAPlanError() throws {
        let fixture = try BerthFixture()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-never
            containers:
              x:
                image: 127.0.0.1:1/nothing:here
                pull: never
                args: ["true"]
            """, project: "it-never")
        let plan = try fixture.run(["plan", "-f", manifest])
        #expect(plan.status == 1)
        #expect(plan.stderrText.contains("`pull: never` forbids pulling it"), "\(plan.stderrText)")
    }
}

extension PullApplyTests {
    /// Progress goes to stderr only on a terminal (a pty from script(1)), one line per blob with its rate and a
    /// total line; nothing without a terminal or with `--quiet`.
    @Test func imagePullShowsProgressOnlyOnATerminal() throws {
        let source = try BerthFixture()
        try source.importBusybox()
        let archive = source.work + "/demo.tar"
        #expect(try source.run(["image", "export", "berth.local/busybox:demo", "-o", archive]).status == 0)
        let registry = try LoopbackRegistry(directory: source.work + "/registry")
        defer { registry.stop() }
        let pushed = try ProcessRunner().run(
            "/usr/bin/skopeo",
            [
                "copy", "--quiet", "--preserve-digests", "--dest-tls-verify=false",
                "oci-archive:\(archive):berth.local/busybox:demo", "docker://\(registry.address)/busybox:demo",
            ])
        #expect(pushed.status == 0, "skopeo: \(pushed.stderrText)")
        let reference = "\(registry.address)/busybox:demo"

        func onTerminal(_ fixture: BerthFixture, _ extra: [String]) throws -> String {
            let command = ([fixture.berth, "image", "pull", reference] + extra + ["--state-root", fixture.root])
                .joined(separator: " ")
            let result = try ProcessRunner().run("/usr/bin/script", ["-q", "-e", "-c", command, "/dev/null"])
            #expect(result.status == 0, "\(result.stdoutText)")
            return result.stdoutText
        }

        let shown = try onTerminal(try BerthFixture(), [])
        // The pty turns "\n" into "\r\n" (one Character in Swift): drop the "\r" scalars before splitting.
        let plain = String(String.UnicodeScalarView(shown.unicodeScalars.filter { $0 != "\r" }))
        let lines = plain.split(separator: "\n").map { $0.replacingOccurrences(of: "\u{1B}[2K", with: "") }
        #expect(lines.contains { $0.contains(" done ") && $0.hasSuffix("/s") }, "\(shown)")
        #expect(lines.contains { $0.hasPrefix("total ") && $0.contains(" / ") }, "\(shown)")
        #expect(shown.contains("\(reference) sha256:"), "\(shown)")

        let quiet = try onTerminal(try BerthFixture(), ["--quiet"])
        #expect(!quiet.contains("total "), "\(quiet)")
        #expect(quiet.contains("\(reference) sha256:"), "\(quiet)")

        // apply shows the same display for the pulls it plans, on a terminal only.
        let applier = try BerthFixture()
        let manifest = try applier.manifest(
            """
            version: 1
            name: it-pull-progress
            containers:
              hello:
                image: \(reference)
                pull: always
                args: ["true"]
            """, project: "it-pull-progress")
        let applied = try ProcessRunner().run(
            "/usr/bin/script",
            [
                "-q", "-e", "-c",
                "\(applier.berth) apply -f \(manifest) --wait --state-root \(applier.root)", "/dev/null",
            ])
        #expect(applied.status == 0, "\(applied.stdoutText)")
        #expect(applied.stdoutText.contains("total "), "\(applied.stdoutText)")

        let piped = try BerthFixture().run(["image", "pull", reference])
        #expect(piped.status == 0, "\(piped.stderrText)")
        #expect(piped.stderrText.isEmpty, "\(piped.stderrText)")
        #expect(piped.stdoutText.hasPrefix("\(reference) sha256:"))
    }
}

/// docker-registry (Debian's package) on a free loopback port with its own storage.
final class LoopbackRegistry {
    let port: Int
    let directory: String
    private let process = Process()
    var address: String { "127.0.0.1:\(port)" }

    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory + "/storage", withIntermediateDirectories: true)
        port = Int.random(in: 20000...40000)
        let config = """
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: \(directory)/storage
            http:
              addr: 127.0.0.1:\(port)

            """
        try config.write(toFile: directory + "/config.yml", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/docker-registry")
        process.arguments = ["serve", directory + "/config.yml"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 {
            if (try? ProcessRunner().run("/usr/bin/curl", ["-sf", "http://\(address)/v2/"]))?.status == 0 { return }
            usleep(50_000)
        }
        stop()
        throw FixtureError("docker-registry did not start on \(address)")
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
