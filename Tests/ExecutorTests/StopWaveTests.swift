import Manifest
import State
import Testing

@testable import Executor

/// `down` stops dependents before what they need, the containers of a wave at once.
@Suite struct StopWaveTests {
    /// The definition as a record keeps it: its canonical JSON.
    static func definition(_ name: String, dependsOn: [String] = [], joins: [String] = []) -> String {
        let container = ContainerDefinition(
            name: name, image: "i", withNamespaces: joins.map { NamespaceJoin(type: .network, target: .container($0)) }, dependsOn: dependsOn)
        return (try? ManifestRenderer.canonicalJSON(of: container)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    static func record(_ name: String, _ definition: String?) -> ContainerRecord {
        var record = ContainerRecord(
            project: "p", name: name, runtimeID: "p.\(name)", configHash: "h", snapshotter: "overlayfs", snapshotKey: "p.\(name)",
            bundlePath: "/b", runtimeBinary: "/usr/sbin/runc", status: .running, createdAt: "2026-12-04T00:00:00Z")
        record.configJSON = definition
        return record
    }

    @Test func dependentsStopFirstAndIndependentsTogether() {
        let records = [
            Self.record("db", Self.definition("db")),
            Self.record("web", Self.definition("web", dependsOn: ["db"])),
            Self.record("sidecar", Self.definition("sidecar", joins: ["web"])),
            Self.record("job", Self.definition("job")),
            Self.record("lost", nil),
            Self.record("garbled", "{not json"),
        ]
        let waves = Teardown.stopWaves(records).map { Set($0.map(\.name)) }
        #expect(waves == [["sidecar", "job", "lost", "garbled"], ["web"], ["db"]])
    }

    @Test func aCycleIsStoppedAtOnceInsteadOfHanging() {
        let records = [Self.record("a", Self.definition("a", dependsOn: ["b"])), Self.record("b", Self.definition("b", dependsOn: ["a"]))]
        #expect(Teardown.stopWaves(records).map { Set($0.map(\.name)) } == [["a", "b"]])
    }
}
