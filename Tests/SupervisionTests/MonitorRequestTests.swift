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

    @Test(arguments: [(false, "web shop.db", false), (true, "", true), (false, "--name", true)])
    func argumentsRoundTrip(noPivot: Bool, snapshotKey: String, gated: Bool) throws {
        let request = MonitorRequest(
            root: StateRoot(path: "/tmp/state root"),
            record: Self.record(noPivot: noPivot, snapshotKey: snapshotKey), gated: gated)
        let parsed = try #require(MonitorRequest(commandLine: ["/usr/bin/berth"] + request.arguments))
        #expect(parsed == request)
        #expect(request.arguments.contains("--no-pivot") == noPivot)
        #expect(parsed.gated == gated)
        // The warm form: the request's length, a newline, the request.
        let framed = String(decoding: request.framed, as: UTF8.self)
        let payload = request.arguments.joined(separator: "\0")
        #expect(framed == "\(payload.utf8.count)\n" + payload)
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

    /// Given the state root, a warm monitor readies its database before it waits for the request (and only then:
    /// a relative path, or none, is not prepared).
    @Test func warmMonitorPreparesTheStateRootItIsGivenFirst() {
        let payload = Data(request.arguments.joined(separator: "\0").utf8)
        var events: [String] = []
        let invocation = MonitorInvocation(
            commandLine: ["berth", "__monitor", "--await-request", "/tmp/s"],
            input: {
                events.append("input")
                return payload
            },
            prepare: { events.append("prepare " + $0.path) })
        #expect(invocation == .supervise(request))
        #expect(events == ["prepare /tmp/s", "input"])
        var prepared = false
        _ = MonitorInvocation(commandLine: ["berth", "__monitor", "--await-request", "s"], input: { Data() }, prepare: { _ in prepared = true })
        _ = MonitorInvocation(commandLine: ["berth", "__monitor", "--await-request"], input: { Data() }, prepare: { _ in prepared = true })
        #expect(!prepared)
    }

    /// What a warm monitor prepares: an existing database, opened and written once without a change.
    @Test func preparingTheStateChangesNothingInIt() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-prepare-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let root = StateRoot(path: path)
        Monitor.prepareState(root)
        #expect(!FileManager.default.fileExists(atPath: root.database))  // none is created
        let store = try StateStore(path: root.database)
        let revision = try store.revision()
        Monitor.prepareState(root)
        #expect(try store.revision() == revision)
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
