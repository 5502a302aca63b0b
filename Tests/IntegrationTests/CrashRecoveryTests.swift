import Foundation
import Runtime
import Testing

/// `berth apply` killed at a named point (BERTH_CRASH_AT makes it exit there, as SIGKILL would)
/// leaves state that the next apply repairs and converges from.
@Suite(.serialized) struct CrashRecoveryTests {
    @Test(arguments: [
        "apply-after-unpack", "apply-after-prepare", "apply-after-bundle", "apply-after-record", "apply-after-attach",
        "unpack-before-commit", "unpack-after-commit",
    ])
    func nextApplyConverges(_ point: String) throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let project = "it-crash-\(point)"
        let manifest = try fixture.manifest(
            """
            version: 1
            name: \(project)
            containers:
              job:
                image: berth.local/busybox:demo
                args: ["sh", "-c", "echo converged"]
            """, project: project)
        let crashed = try fixture.run(["apply", "-f", manifest, "--wait"], environment: ["BERTH_CRASH_AT": point])
        #expect(crashed.status == 86, "the crash point \(point) was not reached: \(crashed.stderrText)")

        let again = try fixture.run(["apply", "-f", manifest, "--wait"])
        #expect(again.status == 0, "after a crash at \(point): \(again.stderrText)")
        #expect(again.stdoutText == "converged\n")
        let plan = try fixture.run(["plan", "-f", manifest])
        #expect(plan.stdoutText.contains("= job: exited with code 0"), "\(plan.stdoutText)")
        #expect(plan.stdoutText.contains("unpack    none"))

        #expect(try fixture.run(["down", "-f", manifest]).status == 0)
        let mounts = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
        #expect(!mounts.contains(fixture.root), "a mount was leaked after a crash at \(point)")
        let active = (try? FileManager.default.contentsOfDirectory(atPath: fixture.root + "/snapshots/overlayfs/active")) ?? []
        #expect(active.isEmpty, "writable snapshots left: \(active)")
        // Nothing of the container's network either: no rule naming it, no lease, no cached attachment.
        let rules = try ProcessRunner().run("/usr/sbin/iptables-save", []).stdoutText
        #expect(!rules.contains(project), "iptables rules left after a crash at \(point)")
        for directory in ["attachments", "netns", "ipam", "conflists"] {
            let left = (try? FileManager.default.contentsOfDirectory(atPath: fixture.root + "/network/" + directory)) ?? []
            #expect(left.isEmpty, "network/\(directory) left after a crash at \(point): \(left)")
        }
    }
}
