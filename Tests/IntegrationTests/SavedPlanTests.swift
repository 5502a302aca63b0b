import Foundation
import Testing

/// `berth plan -o FILE` then `berth apply FILE`: exactly that plan, refused once the state or an image moved.
@Suite(.serialized) struct SavedPlanTests {
    let manifestText = """
        version: 1
        name: it-saved
        containers:
          job:
            image: berth.local/busybox:demo
            args: ["sh", "-c", "echo planned"]
        """

    @Test func savedPlanIsCarriedOut() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(manifestText, project: "it-saved")
        let planFile = fixture.work + "/plan.json"
        #expect(try fixture.run(["plan", "-f", manifest, "-o", planFile]).status == 0)
        let applied = try fixture.run(["apply", planFile, "--wait"])
        #expect(applied.status == 0, "\(applied.stderrText)")
        #expect(applied.stdoutText == "planned\n")
    }

    @Test func savedPlanIsRefusedAfterTheStateMoved() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(manifestText, project: "it-saved")
        let planFile = fixture.work + "/plan.json"
        #expect(try fixture.run(["plan", "-f", manifest, "-o", planFile]).status == 0)
        #expect(try fixture.run(["apply", "-f", manifest, "--wait"]).status == 0)
        let stale = try fixture.run(["apply", planFile])
        #expect(stale.status == 1)
        #expect(stale.stderrText.contains("the state changed since the plan was made"), "\(stale.stderrText)")
    }

    @Test func savedPlanIsRefusedWhenTheImageMoved() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(manifestText, project: "it-saved")
        let planFile = fixture.work + "/plan.json"
        #expect(try fixture.run(["plan", "-f", manifest, "-o", planFile]).status == 0)
        // Re-point the tag at a different image.
        let other = fixture.work + "/other"
        try FileManager.default.createDirectory(atPath: other + "/etc", withIntermediateDirectories: true)
        try Data("x\n".utf8).write(to: URL(fileURLWithPath: other + "/etc/marker"))
        #expect(try fixture.run(["image", "import", "--rootfs", other, "--tag", "berth.local/busybox:demo"]).status == 0)
        let stale = try fixture.run(["apply", planFile])
        #expect(stale.status == 1)
        #expect(stale.stderrText.contains("the plan is out of date: image berth.local/busybox:demo"), "\(stale.stderrText)")
    }

    @Test func aFileThatIsNotAPlanIsAClearError() throws {
        let fixture = try BerthFixture()
        let bogus = fixture.work + "/bogus.json"
        try Data("{}".utf8).write(to: URL(fileURLWithPath: bogus))
        let result = try fixture.run(["apply", bogus])
        #expect(result.status == 1)
        #expect(result.stderrText.contains("is not a Berth plan"))
    }
}
