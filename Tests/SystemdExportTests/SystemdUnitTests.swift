import Foundation
import SystemdExport
import TestSupport
import Testing

/// The unit `berth export systemd` writes: a golden file, and what `systemd-analyze verify` says of it.
@Suite struct SystemdUnitTests {
    static let unit = SystemdUnit(
        project: "shop", manifestPath: "/srv/shop/berth.yaml", executable: "/usr/local/bin/berth", stateRoot: "/var/lib/berth")

    static func golden(_ name: String) -> (expected: URL?, source: URL) {
        (
            Bundle.module.url(forResource: name, withExtension: "service", subdirectory: "Golden"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name).service")
        )
    }

    @Test func matchesGolden() throws {
        let files = Self.golden("berth-shop")
        try GoldenFile.check(Self.unit.text, expected: files.expected, source: files.source, label: "Golden/berth-shop.service")
        #expect(Self.unit.fileName == "berth-shop.service")
    }

    @Test func pathsWithSpacesQuotesAndSpecifiersAreQuotedForSystemd() throws {
        let unit = SystemdUnit(
            project: "p", manifestPath: "/srv/my app/100% \"x\"$HOME/berth.yaml", executable: "/usr/bin/berth", stateRoot: "/var/lib/berth")
        let exec = try #require(unit.text.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        #expect(exec.contains(#""/srv/my app/100%% \"x\"$$HOME/berth.yaml""#), "\(exec)")
    }

    /// Compose files merged with several `-f`, and profiles, reach both the apply and the down, in order.
    @Test func everyManifestFileAndProfileIsInBothCommands() throws {
        let unit = SystemdUnit(
            project: "shop", manifestPath: "/srv/shop/compose.yaml", overrides: ["/srv/shop/compose.prod.yaml"], profiles: ["web"],
            executable: "/usr/bin/berth", stateRoot: "/var/lib/berth")
        for key in ["ExecStart=", "ExecStop="] {
            let line = try #require(unit.text.split(separator: "\n").first { $0.hasPrefix(key) })
            #expect(line.hasSuffix("-f /srv/shop/compose.yaml -f /srv/shop/compose.prod.yaml --profile web -p shop"), "\(line)")
        }
    }

    /// `systemd-analyze verify` of the unit (its executable must exist: /bin/true stands in for berth).
    @Test func systemdAcceptsTheUnit() throws {
        let analyze = "/usr/bin/systemd-analyze"
        guard FileManager.default.isExecutableFile(atPath: analyze) else {
            print("skipped: \(analyze) is not installed (Debian package systemd); the golden file still checks the text")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let unit = SystemdUnit(
            project: "shop", manifestPath: directory.path + "/berth.yaml", executable: "/bin/true", stateRoot: directory.path)
        let file = directory.appendingPathComponent(unit.fileName)
        try Data(unit.text.utf8).write(to: file)
        // As an installed unit is (systemd warns about a world-writable one, whatever this process's umask).
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: analyze)
        process.arguments = ["verify", "--man=no", file.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // Lines about the host's own units (not ours) are not this test's concern.
        let ours = text.split(separator: "\n").filter { $0.contains(unit.fileName) }
        #expect(process.terminationStatus == 0 || ours.isEmpty, "systemd-analyze verify: \(text)")
        #expect(ours.isEmpty, "\(ours)")
    }
}
