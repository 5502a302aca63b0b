import State
import Testing

@testable import Executor

/// `down` stops dependents before what they need, the containers of a wave at once.
@Suite struct StopWaveTests {
    static func record(_ name: String, _ definition: String?) -> ContainerRecord {
        var record = ContainerRecord(
            project: "p", name: name, runtimeID: "p.\(name)", configHash: "h", snapshotter: "overlayfs", snapshotKey: "p.\(name)",
            bundlePath: "/b", runtimeBinary: "/usr/sbin/runc", status: .running, createdAt: "2026-12-04T00:00:00Z")
        record.configJSON = definition
        return record
    }

    @Test func dependentsStopFirstAndIndependentsTogether() {
        let records = [
            Self.record("db", #"{"depends-on":[],"with-ns":[]}"#),
            Self.record("web", #"{"depends-on":["db"],"with-ns":[]}"#),
            Self.record("sidecar", #"{"depends-on":[],"with-ns":[{"container":"web","type":"network"}]}"#),
            Self.record("job", #"{"depends-on":[],"with-ns":[]}"#),
            Self.record("lost", nil),
        ]
        let waves = Teardown.stopWaves(records).map { Set($0.map(\.name)) }
        #expect(waves == [["sidecar", "job", "lost"], ["web"], ["db"]])
    }

    @Test func aCycleIsStoppedAtOnceInsteadOfHanging() {
        let records = [Self.record("a", #"{"depends-on":["b"]}"#), Self.record("b", #"{"depends-on":["a"]}"#)]
        #expect(Teardown.stopWaves(records).map { Set($0.map(\.name)) } == [["a", "b"]])
    }
}
