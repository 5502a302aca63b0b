import Foundation
import Runtime
import Testing

/// A checkpoint made by containerd itself (`ctr containers checkpoint --rw --image`, Debian's containerd on a
/// private socket) moves into Berth as an OCI archive and its files come back through `checkpoint:`.
@Suite(.serialized) struct ContainerdCheckpointTests {
    /// containerd on a socket of its own, stopped (and its task killed) when the test ends.
    final class PrivateContainerd {
        let directory: String
        let process = Foundation.Process()
        var socket: String { directory + "/sock" }

        init(directory: String) throws {
            self.directory = directory
            process.executableURL = URL(fileURLWithPath: "/usr/bin/containerd")
            process.arguments = ["--root", directory + "/root", "--state", directory + "/state", "--address", socket]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            for _ in 0..<100 where !FileManager.default.fileExists(atPath: socket) { usleep(50_000) }
        }

        @discardableResult
        func ctr(_ arguments: [String]) throws -> CommandResult {
            try ProcessRunner().run("/usr/bin/ctr", ["--address", socket] + arguments)
        }

        func stop() {
            _ = try? ctr(["tasks", "kill", "-s", "KILL", "writer"])
            usleep(200_000)
            _ = try? ctr(["tasks", "delete", "writer"])
            _ = try? ctr(["containers", "delete", "writer"])
            process.terminate()
            process.waitUntilExit()
            BerthFixture.unmountAll(under: directory)
        }
    }

    @Test func ctrCheckpointRestoresItsFilesThroughTheManifest() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/containerd"),
            FileManager.default.isExecutableFile(atPath: "/usr/bin/ctr")
        else {
            print("skipped: containerd is not installed (the Makefile's test target installs it)")
            return
        }
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let base = fixture.work + "/base.tar"
        #expect(try fixture.run(["image", "export", "berth.local/busybox:demo", "-o", base]).status == 0)

        let containerd = try PrivateContainerd(directory: fixture.work + "/containerd")
        defer { containerd.stop() }
        let imported = try containerd.ctr(["images", "import", "--base-name", "berth.local/busybox", base])
        try #require(imported.status == 0, "\(imported.stderrText)")
        let run = try containerd.ctr([
            "run", "-d", "berth.local/busybox:demo", "writer",
            "sh", "-c", "echo from-containerd > /made.txt; rm /etc/group; sleep 300",
        ])
        try #require(run.status == 0, "\(run.stderrText)")
        // The files are written once the task runs; checkpoint (files only: no CRIU) after they exist.
        var made = false
        for _ in 0..<100 where !made {
            usleep(50_000)
            let probe = try containerd.ctr([
                "tasks", "exec", "--exec-id", "probe-\(UUID().uuidString.prefix(6))",
                "writer", "test", "-e", "/made.txt",
            ])
            made = probe.status == 0
        }
        try #require(made)
        let checkpoint = try containerd.ctr(["containers", "checkpoint", "--rw", "--image", "writer", "berth.local/ctr-ckpt:1"])
        try #require(checkpoint.status == 0, "\(checkpoint.stderrText)")
        // Debian's ctr (1.6) cannot write its Docker manifest.json for a checkpoint index: skip that file.
        let archive = fixture.work + "/ctr-ckpt.tar"
        let exported = try containerd.ctr(["images", "export", "--skip-manifest-json", archive, "berth.local/ctr-ckpt:1"])
        try #require(exported.status == 0, "\(exported.stderrText)")

        let intoBerth = try fixture.run(["image", "import", archive])
        #expect(intoBerth.status == 0, "\(intoBerth.stderrText)")
        // Listed with its base image's one platform (the index also tags its other blobs with it).
        let listed = try fixture.run(["image", "ls", "--format", "json"])
        let images = try JSONSerialization.jsonObject(with: listed.stdout) as? [[String: Any]] ?? []
        let entry = images.first { ($0["reference"] as? String) == "berth.local/ctr-ckpt:1" }
        #expect((entry?["platforms"] as? [String])?.count == 1, "\(listed.stdoutText)")
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-ctr-ckpt
            containers:
              back:
                checkpoint: berth.local/ctr-ckpt:1
                args: ["sh", "-c", "cat /made.txt; test ! -e /etc/group && echo group-still-gone"]
            """, project: "it-ctr-ckpt")
        let plan = try fixture.run(["plan", "-f", manifest])
        #expect(plan.stdoutText.contains("restore   berth.local/ctr-ckpt:1 → sha256:"), "\(plan.stdoutText)\(plan.stderrText)")
        #expect(plan.stdoutText.contains("files only"), "\(plan.stdoutText)")
        let result = try fixture.run(["apply", "-f", manifest, "--wait"])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stdoutText == "from-containerd\ngroup-still-gone\n")
    }
}
