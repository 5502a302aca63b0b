import BerthSystem
import Foundation
import State
import Supervision
import Testing
#if canImport(Glibc)
import Glibc
#endif

@testable import Executor

/// The launcher hands requests to warm monitors and starts fresh ones, and finds `berth-monitor`.
struct MonitorLauncherTests {
    let request = MonitorRequest(
        root: StateRoot(path: "/tmp/s"),
        record: ContainerRecord(
            project: "web shop", name: "db", runtimeID: "web shop.db", configHash: "h",
            snapshotter: "overlayfs", snapshotKey: "p.c", bundlePath: "/var/lib/berth/c/db/bundle",
            runtimeBinary: "/usr/sbin/runc", noPivot: true, status: .created, createdAt: "t"))

    /// The launcher's side, with a stand-in executable that records its arguments and input.
    @Test func launcherHandsTheRequestToTheWarmMonitorThenStartsFreshOnes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-warm-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = dir + "/monitor.sh"
        try "#!/bin/sh\nprintf '%s\\n' \"$@\" > \(dir)/args.$$.tmp\ncat > \(dir)/input.$$\nmv \(dir)/args.$$.tmp \(dir)/args.$$\necho\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let launcher = SelfExecMonitorLauncher(executable: script)
        launcher.warmUp()
        let warmMonitor = try launcher.launch(request)
        let freshMonitor = try launcher.launch(request)
        let (warm, fresh) = (warmMonitor.pid, freshMonitor.pid)
        defer {
            close(warmMonitor.startReport)
            close(freshMonitor.startReport)
        }
        func waitFor(_ path: String) throws -> String {
            for _ in 0..<500 where !FileManager.default.fileExists(atPath: path) { usleep(10_000) }
            return try String(contentsOfFile: path, encoding: .utf8)
        }
        #expect(try waitFor(dir + "/args.\(warm)") == "__monitor\n--await-request\n")
        #expect(try String(contentsOfFile: dir + "/input.\(warm)", encoding: .utf8) == String(decoding: request.framed, as: UTF8.self))
        #expect(try waitFor(dir + "/args.\(fresh)") == request.arguments.joined(separator: "\n") + "\n")
        #expect(try String(contentsOfFile: dir + "/input.\(fresh)", encoding: .utf8).isEmpty)
        // What each writes on its standard output reaches the launcher as its start report.
        for report in [warmMonitor.startReport, freshMonitor.startReport] {
            var byte: UInt8 = 0
            #expect(read(report, &byte, 1) == 1 && byte == 0x0A)
        }
    }

    /// A gated request keeps the pipe open after the request: the warm monitor reads the request, then the
    /// start byte when the gate opens; a fresh one gets the request on its command line and the gate on its
    /// standard input, which ends without a byte when the gate is shut.
    @Test func aGatedMonitorWaitsOnItsPipeForTheStartByte() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-gate-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = dir + "/monitor.sh"
        try "#!/bin/sh\nprintf '%s\\n' \"$@\" > \(dir)/args.$$.tmp\ncat > \(dir)/input.$$\nmv \(dir)/args.$$.tmp \(dir)/args.$$\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        var gated = request
        gated.gated = true
        let launcher = SelfExecMonitorLauncher(executable: script)
        launcher.warmUp()
        let warm = try launcher.launch(gated)
        let fresh = try launcher.launch(gated)
        defer {
            close(warm.startReport)
            close(fresh.startReport)
        }
        #expect(warm.gate != nil && fresh.gate != nil)
        usleep(200_000)
        // Both still read their standard input: the gates are neither open nor shut.
        #expect(!FileManager.default.fileExists(atPath: dir + "/args.\(warm.pid)"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/args.\(fresh.pid)"))
        #expect(warm.open())
        fresh.shut()
        func waitFor(_ path: String) throws -> String {
            for _ in 0..<500 where !FileManager.default.fileExists(atPath: path) { usleep(10_000) }
            return try String(contentsOfFile: path, encoding: .utf8)
        }
        #expect(try waitFor(dir + "/args.\(warm.pid)") == "__monitor\n--await-request\n")
        #expect(try String(contentsOfFile: dir + "/input.\(warm.pid)", encoding: .utf8) == String(decoding: gated.framed, as: UTF8.self) + "S")
        #expect(try waitFor(dir + "/args.\(fresh.pid)") == gated.arguments.joined(separator: "\n") + "\n")
        #expect(gated.arguments.last == "--gated")
        #expect(try String(contentsOfFile: dir + "/input.\(fresh.pid)", encoding: .utf8).isEmpty)
        // A gate opened when its monitor is gone is refused, not a SIGPIPE for the launcher.
        let gone = try launcher.launch(gated)
        close(gone.startReport)
        gone.shut()
        var pipe: [Int32] = [-1, -1]
        #expect(Glibc.pipe(&pipe) == 0)
        close(pipe[0])
        #expect(!LaunchedMonitor(pid: 0, startReport: -1, gate: pipe[1]).open())
    }

    /// The monitor executable is the `berth-monitor` built beside the running binary (the test runner's
    /// directory holds both products), and it runs as a monitor: without a request it refuses, with an empty
    /// warm-up input it exits 0.
    @Test func berthMonitorIsFoundBesideTheRunningBinaryAndRuns() throws {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let monitor = products.appendingPathComponent(SelfExecMonitorLauncher.monitorExecutableName).path
        try #require(FileManager.default.isExecutableFile(atPath: monitor), "no \(monitor)")
        let byHand = try Command(monitor, []).run(timeout: .seconds(10))
        #expect(byHand.status == 2 && byHand.stderrText.contains("not by hand"))
        let unneeded = try Command(monitor, [MonitorRequest.command, MonitorRequest.awaitFlag], input: Data()).run(timeout: .seconds(10))
        #expect(unneeded.status == 0)
    }
}
