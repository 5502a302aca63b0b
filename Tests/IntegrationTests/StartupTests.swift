import Foundation
import Runtime
import Testing

/// What a Berth process loads at start-up. libarchive (and the ten libraries it brings) is loaded on first
/// use: commands and monitors that never read a tar do not map it; an import does, and works.
@Suite(.serialized) struct StartupTests {
    /// The shared objects the dynamic loader opened, as it reports them with `LD_DEBUG=files`.
    static func loadedLibraries(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "file=") else { return nil }
            return String(line[range.upperBound...].prefix { $0 != " " && $0 != "\t" })
        }
    }

    @Test func libarchiveIsLoadedOnlyByWhatReadsATar() throws {
        let fixture = try BerthFixture()
        let version = try ProcessRunner().run("/usr/bin/env", ["LD_DEBUG=files", fixture.berth, "--version"])
        #expect(version.status == 0)
        let atStart = Self.loadedLibraries(version.stderrText)
        #expect(atStart.contains { $0.hasPrefix("libsqlite3") }, "LD_DEBUG reported nothing: \(version.stderrText.prefix(400))")
        #expect(!atStart.contains { $0.contains("libarchive") || $0.contains("libxml2") }, "\(atStart)")

        let ps = try fixture.run(["ps"], environment: ["LD_DEBUG": "files"])
        #expect(ps.status == 0, "\(ps.stderrText)")
        #expect(!Self.loadedLibraries(ps.stderrText).contains { $0.contains("libarchive") })

        let rootfs = fixture.work + "/rootfs"
        let made = try ProcessRunner().run("/bin/sh", [BerthFixture.packageRoot + "/examples/images/busybox-rootfs.sh", rootfs])
        #expect(made.status == 0, "\(made.stderrText)")
        let imported = try fixture.run(
            ["image", "import", "--rootfs", rootfs, "--tag", "berth.local/busybox:demo"], environment: ["LD_DEBUG": "files"])
        #expect(imported.status == 0, "\(imported.stderrText.suffix(400))")
        #expect(Self.loadedLibraries(imported.stderrText).contains { $0.hasPrefix("libarchive.so") })
    }

    @Test func aMonitorDoesNotMapLibarchive() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-startup
            containers:
              idle:
                image: berth.local/busybox:demo
                args: ["sleep", "30"]
                net-none: true
                init: true
                stop-grace-period: 1s
            """, project: "it-startup")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        defer { _ = try? fixture.run(["down", "-f", manifest]) }
        let ps = try fixture.run(["ps", "-p", "it-startup", "--format", "json"])
        #expect(ps.status == 0, "\(ps.stderrText)")
        let rows = try JSONSerialization.jsonObject(with: Data(ps.stdoutText.utf8)) as? [[String: Any]] ?? []
        let monitor = try #require(rows.first?["monitorPid"] as? Int, "\(ps.stdoutText)")
        let maps = try ProcessRunner().run("/bin/cat", ["/proc/\(monitor)/maps"]).stdoutText
        #expect(maps.contains("libsqlite3"), "not the monitor's maps: \(maps.prefix(300))")
        #expect(!maps.contains("libarchive") && !maps.contains("libxml2"))
    }
}
