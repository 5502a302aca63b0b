import Foundation
import State
import Testing
@testable import Executor

/// The monitor's command line: what the launcher writes is what the monitor reads back.
struct MonitorRequestTests {
    static func record(noPivot: Bool, snapshotKey: String) -> ContainerRecord {
        ContainerRecord(project: "web shop", name: "db", runtimeID: "web shop.db", configHash: "h",
                        snapshotter: "overlayfs", snapshotKey: snapshotKey, bundlePath: "/var/lib/berth/c/db/bundle",
                        runtimeBinary: "/usr/sbin/runc", noPivot: noPivot, status: .created, createdAt: "t")
    }

    @Test(arguments: [(false, "web shop.db"), (true, ""), (false, "--name")])
    func argumentsRoundTrip(noPivot: Bool, snapshotKey: String) throws {
        let request = MonitorRequest(root: StateRoot(path: "/tmp/state root"),
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
