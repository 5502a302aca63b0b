import Foundation
import Runtime
import Testing

/// Faults of the machine rather than of Berth's inputs: a full disk, a read-only state root, a missing
/// runtime. Each fails with the path and the system's words, leaves nothing half-done, and the next run
/// after the fault is gone succeeds.
@Suite(.serialized) struct FaultTests {
    static let manifestText = """
        version: 1
        name: it-fault
        containers:
          job:
            image: berth.local/busybox:demo
            args: ["echo", "ran"]
        """

    static func mount(_ arguments: [String]) throws {
        let result = try ProcessRunner().run("/bin/mount", arguments)
        guard result.status == 0 else { throw FixtureError("mount \(arguments): \(result.stderrText)") }
    }

    @Test func aFullDiskDuringUnpackFailsCleanlyAndTheNextApplyWorks() throws {
        // The image is imported elsewhere, then its store copied onto a 2 MiB tmpfs state root: the layer
        // (about 2 MiB unpacked) does not fit beside it.
        let source = try BerthFixture()
        try source.importBusybox()
        let fixture = try BerthFixture()
        try FileManager.default.createDirectory(atPath: fixture.root, withIntermediateDirectories: true)
        try Self.mount(["-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", fixture.root])
        defer {
            BerthFixture.unmountAll(under: fixture.root)
            _ = umount2(fixture.root, Int32(MNT_DETACH))
        }
        let copy = try ProcessRunner().run("/bin/cp", ["-a", source.root + "/store", fixture.root + "/store"])
        #expect(copy.status == 0, "\(copy.stderrText)")
        // No network: its attachment runs beside the unpack and could meet the full disk first (its IPAM
        // lease); that case is PluginChainTests.aFailedFirstAddDoesNotBreakTheNetwork.
        let manifest = try fixture.manifest(Self.manifestText + "\n    net-none: true", project: "it-fault")

        let full = try fixture.run(["apply", "-f", manifest, "--wait"])
        #expect(full.status == 1, "\(full.stderrText)")
        #expect(full.stderrText.contains("No space left on device"), "\(full.stderrText)")
        #expect(!full.stderrText.contains("NSCocoaErrorDomain") && !full.stderrText.contains("Fatal error"))
        let layers = (try? FileManager.default.contentsOfDirectory(atPath: fixture.root + "/snapshots/overlayfs/layers")) ?? []
        #expect(layers.isEmpty, "a layer counts as unpacked after a failed unpack: \(layers)")
        let tmp = (try? FileManager.default.contentsOfDirectory(atPath: fixture.root + "/snapshots/overlayfs/tmp")) ?? []
        #expect(tmp.isEmpty, "a half-unpacked layer was left: \(tmp)")

        try Self.mount(["-o", "remount,size=64m", fixture.root])
        let again = try fixture.run(["apply", "-f", manifest, "--wait"])
        #expect(again.status == 0, "\(again.stderrText) \(again.stdoutText)")
        #expect(again.stdoutText == "ran\n")
        #expect(try fixture.run(["down", "-f", manifest]).status == 0)
    }

    @Test func aReadOnlyStateRootStillListsContainersAndImages() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(Self.manifestText, project: "it-fault")
        #expect(try fixture.run(["apply", "-f", manifest, "--wait"]).status == 0)
        let view = fixture.work + "/readonly-root"
        try FileManager.default.createDirectory(atPath: view, withIntermediateDirectories: true)
        try Self.mount(["--bind", fixture.root, view])
        defer { _ = umount2(view, Int32(MNT_DETACH)) }
        try Self.mount(["-o", "remount,ro,bind", view])

        let ps = try ProcessRunner().run(fixture.berth, ["ps", "--state-root", view])
        #expect(ps.status == 0, "\(ps.stderrText)")
        #expect(ps.stdoutText.contains("it-fault") && ps.stdoutText.contains("exited (0)"))
        let images = try ProcessRunner().run(fixture.berth, ["image", "ls", "--state-root", view])
        #expect(images.status == 0, "\(images.stderrText)")
        #expect(images.stdoutText.contains("berth.local/busybox:demo"))
        let apply = try ProcessRunner().run(fixture.berth, ["apply", "-f", manifest, "--force-recreate", "--state-root", view])
        #expect(apply.status == 1)
        #expect(apply.stderrText.contains(view) && apply.stderrText.contains("Read-only file system"), "\(apply.stderrText)")
    }

    @Test func aMissingRuntimeIsNamedAndNothingIsLeft() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(Self.manifestText, project: "it-fault")
        let result = try fixture.run(["apply", "-f", manifest, "--wait"], environment: ["PATH": "/nonexistent"])
        #expect(result.status == 1)
        // Found at plan time, with the manifest location.
        #expect(result.stderrText.contains("berth.yaml:4:3: error: runtime `runc` was not found in PATH; install it"), "\(result.stderrText)")
        let mounts = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
        #expect(!mounts.contains(fixture.root + "/"))
        let active = (try? FileManager.default.contentsOfDirectory(atPath: fixture.root + "/snapshots/overlayfs/active")) ?? []
        #expect(active.isEmpty, "a writable snapshot was left: \(active)")
        // With the runtime back, the same apply works.
        let again = try fixture.run(["apply", "-f", manifest, "--wait"])
        #expect(again.status == 0, "\(again.stderrText)")
    }
}
