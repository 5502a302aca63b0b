import Foundation
import State
import Testing

@testable import Executor

/// A monitor records its container's end and then exits: a reader that took the record before the monitor
/// ended must not call the exit unrecorded (the race `apply --wait` lost under load).
@Suite struct LivenessTests {
    let root: StateRoot
    let store: StateStore

    init() throws {
        let scratch = try ScratchState("berth-liveness")
        (root, store) = (scratch.root, scratch.store)
    }

    /// A record that says running, supervised by a pid that is no monitor (the runtime does not know it).
    func staleRunning() -> ContainerRecord {
        var record = ContainerRecord(
            project: "p", name: "job", runtimeID: "p.job", configHash: "h", snapshotter: "overlayfs", snapshotKey: "p.job",
            bundlePath: root.path + "/bundles/p/job", runtimeBinary: "/usr/sbin/runc", status: .running,
            createdAt: "2026-12-04T00:00:00Z")
        record.monitorPID = Int32.max
        return record
    }

    @Test func theExitTheMonitorRecordedWinsOverTheStaleCopy() throws {
        let stale = staleRunning()
        var ended = stale
        ended.status = .exited
        ended.exitCode = 3
        try store.save(ended, manifestPath: "/m")

        let seen = Liveness(root: root, state: store).observe(stale)
        #expect(seen.record.status == .exited)
        #expect(seen.record.exitCode == 3)
        #expect(seen.record.failure == nil)
    }

    @Test func aRecordStillRunningWithItsMonitorGoneIsAnUnrecordedExit() throws {
        let stale = staleRunning()
        try store.save(stale, manifestPath: "/m")

        let seen = Liveness(root: root, state: store).observe(stale)
        #expect(seen.record.status == .exited)
        #expect(seen.record.exitCode == nil)
        #expect(seen.record.failure?.contains("exit not recorded") == true)
    }

    @Test func withoutAStoreTheGivenRecordIsJudged() {
        let seen = Liveness(root: root).observe(staleRunning())
        #expect(seen.record.status == .exited)
        #expect(seen.record.failure?.contains("exit not recorded") == true)
    }
}
