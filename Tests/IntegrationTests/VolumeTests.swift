import Foundation
import Runtime
import Testing

/// Named volumes with real runc: data outlives replace and `down`, `down --volumes` removes it, an empty
/// volume is filled from the image's directory and a used one is not, `volume rm` refuses a used volume.
@Suite(.serialized) struct VolumeTests {
    struct VolumeRow: Decodable {
        var name: String
        var path: String
        var usedBy: [String]
    }

    func volumes(_ fixture: BerthFixture) throws -> [String: VolumeRow] {
        let rows = try JSONDecoder().decode([VolumeRow].self, from: try fixture.run(["volume", "ls", "--format", "json"]).stdout)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0) })
    }

    func manifest(_ args: String, extra: String = "") -> String {
        """
        version: 1
        name: it-vol
        volumes:
          data: {}
        containers:
          job:
            image: berth.local/busybox:demo
            args: ["sh", "-c", "\(args)"]
            net-none: true
            mounts:
              - "data:/data"
        \(extra)
        """
    }

    @Test func dataOutlivesReplaceAndDownAndGoesWithDownVolumes() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let path = try fixture.manifest(manifest("echo kept > /data/f; echo wrote"), project: "it-vol")
        let plan = try fixture.run(["plan", "-f", path])
        #expect(plan.stdoutText.contains("+ volume data: it-vol_data"), "\(plan.stdoutText)")
        #expect(try fixture.run(["apply", "-f", path, "--wait"]).stdoutText == "wrote\n")
        let volume = try #require(try volumes(fixture)["it-vol_data"])
        #expect(volume.path == fixture.root + "/volumes/it-vol_data/_data")
        #expect(volume.usedBy == ["it-vol/job"])

        // Replaced (args changed): the new container sees the data.
        try Data(manifest("cat /data/f").utf8).write(to: URL(fileURLWithPath: path))
        let replaced = try fixture.run(["apply", "-f", path, "--wait"])
        #expect(replaced.stdoutText == "kept\n", "\(replaced.stderrText)")

        let refused = try fixture.run(["volume", "rm", "it-vol_data"])
        #expect(refused.status != 0 && refused.stderrText.contains("in use by it-vol/job"), "\(refused.stderrText)")

        #expect(try fixture.run(["down", "-f", path]).status == 0)
        #expect(try volumes(fixture)["it-vol_data"]?.usedBy == [])
        let again = try fixture.run(["apply", "-f", path, "--wait", "--force-recreate"])
        #expect(again.stdoutText == "kept\n", "the volume lost its data over down: \(again.stderrText)")

        let down = try fixture.run(["down", "-f", path, "--volumes"])
        #expect(down.status == 0 && down.stderrText.contains("- volume it-vol_data: removed"), "\(down.stderrText)")
        #expect(try volumes(fixture).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/volumes/it-vol_data"))
    }

    @Test func anEmptyVolumeIsFilledFromTheImageAndAUsedOneIsNot() throws {
        let fixture = try BerthFixture()
        let rootfs = fixture.work + "/seeded-rootfs"
        let made = try ProcessRunner().run("/bin/sh", [BerthFixture.packageRoot + "/examples/images/busybox-rootfs.sh", rootfs])
        #expect(made.status == 0, "\(made.stderrText)")
        try FileManager.default.createDirectory(atPath: rootfs + "/seed", withIntermediateDirectories: true)
        try Data("from the image\n".utf8).write(to: URL(fileURLWithPath: rootfs + "/seed/greeting"))
        #expect(chown(rootfs + "/seed/greeting", 1000, 1000) == 0 && chmod(rootfs + "/seed/greeting", 0o640) == 0)
        #expect(chmod(rootfs + "/seed", 0o750) == 0)
        #expect(try fixture.run(["image", "import", "--rootfs", rootfs, "--tag", "berth.local/seeded:1"]).status == 0)
        func text(_ args: String) -> String {
            """
            version: 1
            name: it-seed
            volumes:
              seed: {}
              part: {}
            containers:
              job:
                image: berth.local/seeded:1
                args: ["sh", "-c", "\(args)"]
                net-none: true
                mounts:
                  - {type: volume, source: seed, target: /seed}
                  - {type: volume, source: part, target: /part, subpath: a/b}
            """
        }
        let path = try fixture.manifest(text("cat /seed/greeting; stat -c %u:%g:%a /seed/greeting /seed; echo sub > /part/x"), project: "it-seed")
        let plan = try fixture.run(["plan", "-f", path])
        #expect(plan.stdoutText.contains("filled from the image at job:/seed while empty"), "\(plan.stdoutText)")
        let first = try fixture.run(["apply", "-f", path, "--wait"])
        #expect(first.stdoutText == "from the image\n1000:1000:640\n0:0:750\n", "\(first.stdoutText) \(first.stderrText)")
        let part = fixture.root + "/volumes/it-seed_part/_data/a/b/x"
        #expect((try? String(contentsOfFile: part, encoding: .utf8)) == "sub\n", "subpath writes land in the volume")

        // The volume has data now: a new container does not fill it again.
        try Data(text("echo changed > /seed/greeting; cat /seed/greeting").utf8).write(to: URL(fileURLWithPath: path))
        #expect(try fixture.run(["apply", "-f", path, "--wait"]).stdoutText == "changed\n")
        try Data(text("cat /seed/greeting").utf8).write(to: URL(fileURLWithPath: path))
        let third = try fixture.run(["apply", "-f", path, "--wait"])
        #expect(third.stdoutText == "changed\n", "a volume with data was filled again: \(third.stdoutText)")
        #expect(try fixture.run(["down", "-f", path, "--volumes"]).status == 0)
    }

    /// A subpath a container turned into a link out of the volume is refused, not followed.
    @Test func aSubpathThroughALinkIsRefused() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let writer = """
            version: 1
            name: it-link
            volumes:
              data: {}
            containers:
              evil:
                image: berth.local/busybox:demo
                args: ["sh", "-c", "ln -s /etc /data/escape"]
                net-none: true
                mounts: ["data:/data"]
            """
        let path = try fixture.manifest(writer, project: "it-link")
        #expect(try fixture.run(["apply", "-f", path, "--wait"]).status == 0)
        let reader = writer.replacingOccurrences(of: "ln -s /etc /data/escape", with: "ls /data")
            .replacingOccurrences(of: "mounts: [\"data:/data\"]", with: "mounts: [{type: volume, source: data, target: /data, subpath: escape/x}]")
        try Data(reader.utf8).write(to: URL(fileURLWithPath: path))
        let apply = try fixture.run(["apply", "-f", path, "--wait"])
        #expect(apply.status != 0 && apply.stderrText.contains("not a directory"), "\(apply.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: "/etc/x"), "a subpath was made through the link")

        // A subpath that was a directory at create time and a link by the next start: the start is refused.
        let withSub = writer.replacingOccurrences(of: "ln -s /etc /data/escape", with: "cat /data/hostname 2>/dev/null; echo done")
            .replacingOccurrences(of: "mounts: [\"data:/data\"]", with: "mounts: [{type: volume, source: data, target: /data, subpath: sub}]")
        try Data(withSub.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try fixture.run(["apply", "-f", path, "--wait"]).stdoutText == "done\n")
        let sub = fixture.root + "/volumes/it-link_data/_data/sub"
        try FileManager.default.removeItem(atPath: sub)
        try FileManager.default.createSymbolicLink(atPath: sub, withDestinationPath: "/etc")
        let start = try fixture.run(["start", "-p", "it-link", "evil"])
        #expect(start.status != 0 && start.stderrText.contains("no longer a directory"), "\(start.stderrText)")
        #expect(try fixture.run(["down", "-f", path, "--volumes"]).status == 0)
    }

    /// A bind-form volume (`driver-opts: {type: none, o: bind, device: DIR}`) holds its data in the user's
    /// directory, outside the state root, and `down --volumes` leaves that directory alone.
    @Test func aBindFormVolumeUsesTheHostDirectory() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let device = fixture.work + "/hostdata"
        try FileManager.default.createDirectory(atPath: device, withIntermediateDirectories: true)
        let path = try fixture.manifest(
            """
            version: 1
            name: it-device
            volumes:
              host: {driver-opts: {type: none, o: bind, device: \(device)}}
            containers:
              job:
                image: berth.local/busybox:demo
                args: ["sh", "-c", "echo on the host > /data/f"]
                net-none: true
                mounts: ["host:/data"]
            """, project: "it-device")
        let apply = try fixture.run(["apply", "-f", path, "--wait"])
        #expect(apply.status == 0, "\(apply.stderrText)")
        #expect((try? String(contentsOfFile: device + "/f", encoding: .utf8)) == "on the host\n")
        #expect(try fixture.run(["down", "-f", path, "--volumes"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: device + "/f"), "down --volumes removed the user's directory")
    }

    /// `<project>_<volume>` becomes a directory name: one longer than the name rule allows is a plan error,
    /// never a path.
    @Test func aVolumeFullNameBeyondTheRuleIsRefusedAtPlan() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let path = try fixture.manifest(
            manifest("true").replacingOccurrences(of: "  data: {}", with: "  data-with-a-rather-long-name-x: {}")
                .replacingOccurrences(of: "data:/data", with: "data-with-a-rather-long-name-x:/data"), project: "it-vol")
        let project = String(repeating: "p", count: 40)
        let plan = try fixture.run(["plan", "-f", path, "-p", project])
        #expect(plan.status != 0 && plan.stderrText.contains("is not a valid volume name"), "\(plan.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/volumes/\(project)_data-with-a-rather-long-name-x"))
    }
}
