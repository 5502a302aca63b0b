import Foundation
import State
import Testing
@testable import Supervision

/// The monitor's command line: what the launcher writes is what the monitor reads back.
struct MonitorRequestTests {
    static func record(noPivot: Bool, snapshotKey: String) -> ContainerRecord {
        ContainerRecord(
            project: "web shop", name: "db", runtimeID: "web shop.db", configHash: "h",
            snapshotter: "overlayfs", snapshotKey: snapshotKey, bundlePath: "/var/lib/berth/c/db/bundle",
            runtimeBinary: "/usr/sbin/runc", noPivot: noPivot, status: .created, createdAt: "t")
    }

    @Test(arguments: [(false, "web shop.db"), (true, ""), (false, "--name")])
    func argumentsRoundTrip(noPivot: Bool, snapshotKey: String) throws {
        let request = MonitorRequest(
            root: StateRoot(path: "/tmp/state root"),
            record: Self.record(noPivot: noPivot, snapshotKey: snapshotKey))
        let parsed = try #require(MonitorRequest(commandLine: ["/usr/bin/berth"] + request.arguments))
        #expect(parsed == request)
        #expect(request.arguments.contains("--no-pivot") == noPivot)
    }

    @Test(arguments: [
        ["berth"], ["berth", "apply"], ["berth", "__monitor", "--project"],
        ["berth", "__monitor", "--state-root", "/s", "--project", "p", "--name", "n"],  // runtime fields missing
        ["berth", "__monitor", "stray"],
    ])
    func otherCommandLinesAreNotMonitors(_ commandLine: [String]) {
        #expect(MonitorRequest(commandLine: commandLine) == nil)
    }
}

/// Warm monitors: the request travels on standard input; a monitor that gets none has nothing to do.
struct MonitorInvocationTests {
    let request = MonitorRequest(
        root: StateRoot(path: "/tmp/s"),
        record: MonitorRequestTests.record(noPivot: true, snapshotKey: "p.c"))

    @Test func warmMonitorReadsItsRequestFromItsInput() {
        let payload = Data(request.arguments.joined(separator: "\0").utf8)
        let invocation = MonitorInvocation(commandLine: ["berth", "__monitor", "--await-request"], input: { payload })
        #expect(invocation == .supervise(request))
    }

    @Test func warmMonitorWithoutRequestIsUnneeded() {
        let invocation = MonitorInvocation(commandLine: ["berth", "__monitor", "--await-request"], input: { Data() })
        #expect(invocation == .unneeded)
    }

    @Test func garbledRequestIsNoMonitor() {
        let invocation = MonitorInvocation(
            commandLine: ["berth", "__monitor", "--await-request"],
            input: { Data("__monitor\0--project".utf8) })
        #expect(invocation == nil)
        #expect(MonitorInvocation(commandLine: ["berth", "ps"], input: { Data() }) == nil)
        #expect(MonitorInvocation(commandLine: ["berth"] + request.arguments, input: { Data() }) == .supervise(request))
    }
}
