import Foundation
import Testing

/// The foundation path end to end: real berth binary, real image store, real overlayfs, real runc.
@Suite(.serialized) struct ApplyTests {
    @Test func helloRunsAndItsOutputAndExitCodeComeBack() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-hello
            containers:
              hello:
                image: berth.local/busybox:demo
                cwd: /tmp
                env:
                  GREETING: hi there
                args: ["sh", "-c", "echo \\"$$GREETING\\"; pwd; echo to-stderr >&2"]
            """, project: "it-hello")
        let result = try fixture.run(["apply", "-f", manifest, "--wait"])
        #expect(result.status == 0, "stderr: \(result.stderrText)")
        #expect(result.stdoutText == "hi there\n/tmp\n")
        #expect(result.stderrText.contains("to-stderr"))
    }

    @Test func nonZeroExitCodeBecomesBerthsExitCode() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-exit
            containers:
              failing:
                image: berth.local/busybox:demo
                args: ["sh", "-c", "echo about to fail; exit 42"]
            """, project: "it-exit")
        let result = try fixture.run(["apply", "-f", manifest, "--wait"])
        #expect(result.status == 42, "stderr: \(result.stderrText)")
        #expect(result.stdoutText == "about to fail\n")
        let ps = try fixture.run(["ps", "-p", "it-exit", "--format", "json"])
        let rows = try JSONSerialization.jsonObject(with: ps.stdout) as? [[String: Any]]
        #expect(rows?.first?["status"] as? String == "exited")
        #expect(rows?.first?["exitCode"] as? Int == 42)
    }

    @Test func secondApplyFindsTheImageUnpackedAndUnpacksAgainOnlyAfterTheSnapshotIsGone() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-unpack
            containers:
              once:
                image: berth.local/busybox:demo
                args: ["true"]
            """, project: "it-unpack")
        let before = try fixture.run(["plan", "-f", manifest])
        #expect(before.stdoutText.contains("1 layer to unpack"), "\(before.stdoutText)\(before.stderrText)")
        let first = try fixture.run(["apply", "-f", manifest, "--wait"])
        #expect(first.status == 0, "stderr: \(first.stderrText)")
        #expect(first.stderrText.contains("unpacked 1 layer"))

        let after = try fixture.run(["plan", "-f", manifest, "--force-recreate"])
        #expect(after.stdoutText.contains("unpack    none"), "\(after.stdoutText)")
        let second = try fixture.run(["apply", "-f", manifest, "--wait", "--force-recreate"])
        #expect(second.status == 0, "stderr: \(second.stderrText)")
        #expect(!second.stderrText.contains("unpacked"))

        // Remove the unpacked snapshots by hand, as a cleaned disk would: the seed's failure
        // ("parent snapshot … does not exist") must not happen; the plan shows the unpack again.
        try fixture.run(["down", "-f", manifest])
        BerthFixture.unmountAll(under: fixture.root)
        try FileManager.default.removeItem(atPath: fixture.root + "/snapshots")
        let replanned = try fixture.run(["plan", "-f", manifest])
        #expect(replanned.stdoutText.contains("1 layer to unpack"), "\(replanned.stdoutText)\(replanned.stderrText)")
        let third = try fixture.run(["apply", "-f", manifest, "--wait"])
        #expect(third.status == 0, "stderr: \(third.stderrText)")
        #expect(third.stderrText.contains("unpacked 1 layer"))
    }

    @Test func aContainerThatCannotStartIsReportedAndOnlyItsDependentsAreSkipped() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-broken
            containers:
              broken:
                image: berth.local/busybox:demo
                args: ["/no/such/binary"]
              dependent:
                image: berth.local/busybox:demo
                depends-on: [broken]
                args: ["true"]
              independent:
                image: berth.local/busybox:demo
                args: ["sh", "-c", "echo fine"]
            """, project: "it-broken")
        let result = try fixture.run(["apply", "-f", manifest, "--wait"])
        #expect(result.status == 1, "stderr: \(result.stderrText)")
        // The runtime's own message, and the dependent named as skipped because of it.
        #expect(result.stderrText.contains("container broken failed to start"), "\(result.stderrText)")
        #expect(result.stderrText.contains("/no/such/binary"), "\(result.stderrText)")
        #expect(result.stderrText.contains("dependent was not started: it depends on broken"), "\(result.stderrText)")
        #expect(result.stdoutText.contains("independent | fine"))
        let ps = try fixture.run(["ps", "-p", "it-broken", "--format", "json"])
        let rows = try JSONSerialization.jsonObject(with: ps.stdout) as? [[String: Any]] ?? []
        let status = Dictionary(
            uniqueKeysWithValues: rows.compactMap { row -> (String, String)? in
                guard let name = row["name"] as? String, let status = row["status"] as? String else { return nil }
                return (name, status)
            })
        #expect(status == ["broken": "failed", "independent": "exited"])
        // Nothing of the failed container stays mounted.
        let mounts = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
        #expect(!mounts.contains(fixture.root + "/containers/it-broken/broken"))
    }

    @Test func missingImageFailsWithOneLineNamingItAndCreatesNothing() throws {
        let fixture = try BerthFixture()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-missing
            containers:
              web:
                image: berth.local/nothing:here
                args: ["true"]
            """, project: "it-missing")
        let result = try fixture.run(["apply", "-f", manifest, "--wait"])
        #expect(result.status == 1)
        let lines = result.stderrText.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderrText)")
        #expect(result.stderrText.contains("berth.local/nothing:here"))
        #expect(result.stderrText.contains("berth image import"))
        #expect(result.stderrText.contains("berth.yaml:5:"))
        let ps = try fixture.run(["ps", "--format", "json"])
        #expect(
            ps.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]"
                || ps.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        let containers = (try? FileManager.default.contentsOfDirectory(atPath: fixture.root + "/containers")) ?? []
        #expect(containers.isEmpty)
    }

    @Test func planIsByteIdenticalAcrossRunsAndChangesNothing() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-plan
            # A fixed subnet: a chosen one depends on the host's routes, which parallel tests change.
            networks:
              default: {subnet: 10.251.166.0/24}
            containers:
              b:
                image: berth.local/busybox:demo
                args: ["true"]
              a:
                image: berth.local/busybox:demo
                args: ["true"]
            """, project: "it-plan")
        let first = try fixture.run(["plan", "-f", manifest, "--format", "json"])
        let second = try fixture.run(["plan", "-f", manifest, "--format", "json"])
        #expect(first.status == 0, "\(first.stderrText)")
        #expect(first.stdout == second.stdout)
        let text1 = try fixture.run(["plan", "-f", manifest])
        let text2 = try fixture.run(["plan", "-f", manifest])
        #expect(text1.stdout == text2.stdout)
        #expect(text1.stdoutText.contains("+ a:") && text1.stdoutText.contains("+ b:"))
        let ps = try fixture.run(["ps", "-p", "it-plan", "--format", "json"])
        #expect(!ps.stdoutText.contains("\"name\""))
    }

    @Test func importingTheSameDirectoryIntoTwoStoresGivesTheSameDigests() throws {
        let one = try BerthFixture()
        let two = try BerthFixture()
        let a = try one.importBusybox()
        let b = try two.importBusybox()
        #expect(!a.isEmpty)
        #expect(a == b)
    }
}
