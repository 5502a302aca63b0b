import Foundation
import State
@testable import Supervision
import Testing

@testable import Executor

/// `apply --wait` hands the follower the monitors' report pipes: a monitor closes its pipe once the end is
/// recorded, and the follower wakes at once.
@Suite struct OutputFollowerTests {
    let root: StateRoot
    let store: StateStore

    init() throws {
        let scratch = try ScratchState("berth-follow")
        (root, store) = (scratch.root, scratch.store)
    }

    /// Whether the pipe whose write end is `fd` has lost its reader (the follower closed the read end it took).
    static func readerClosed(_ fd: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        return poll(&entry, 1, 0) == 1 && entry.revents & Int16(POLLERR) != 0
    }

    @Test func theEndReportedThroughThePipeIsSeenAndEveryReportIsClosed() throws {
        // A stand-in monitor: any process whose command line carries the monitor's word.
        let monitor = Process()
        monitor.executableURL = URL(fileURLWithPath: "/bin/sh")
        monitor.arguments = ["-c", "sleep 30", MonitorRequest.command]
        try monitor.run()
        defer { monitor.terminate() }
        // Until its exec is done, its command line is still the test's.
        let deadline = Date().addingTimeInterval(10)
        while !MonitorProcess.isMonitor(monitor.processIdentifier), Date() < deadline { usleep(1000) }
        #expect(MonitorProcess.isMonitor(monitor.processIdentifier))
        var record = ContainerRecord(
            project: "p", name: "job", runtimeID: "p.job", configHash: "h", snapshotter: "overlayfs", snapshotKey: "p.job",
            bundlePath: root.path + "/bundle", runtimeBinary: "/usr/sbin/runc", status: .running,
            createdAt: "2026-12-05T00:00:00Z")
        record.monitorPID = monitor.processIdentifier
        try store.save(record, manifestPath: "/m")
        let directory = try root.containerDirectory(project: "p", name: "job")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let log = try LogWriter(path: try root.logFile(project: "p", name: "job"))
        log.append(Data("hello\n".utf8), stream: .stdout)
        log.flush()

        var job: [Int32] = [-1, -1]
        var other: [Int32] = [-1, -1]
        #expect(pipe(&job) == 0 && pipe(&other) == 0)
        defer { for fd in [job[1], other[1]] { close(fd) } }
        let writeEnd = job[1]
        let store = self.store
        Thread.detachNewThread {
            usleep(100_000)
            _ = try? store.update(project: "p", name: "job") { record in
                record.status = .exited
                record.exitCode = 4
            }
            close(writeEnd)  // the monitor's end report
        }
        var lines: [String] = []
        let results = try OutputFollower(root: root, state: store).follow(
            project: "p", names: ["job"], endReports: ["job": job[0], "other": other[0]]
        ) { _, entry in lines.append(entry.text) }
        #expect(results == [OutputFollower.Result(name: "job", exitCode: 4, failure: nil)])
        #expect(lines == ["hello"])
        // A report for a container not followed is closed at once; the followed one once it has woken the follower.
        #expect(Self.readerClosed(other[1]))
    }
}
