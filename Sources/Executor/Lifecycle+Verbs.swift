import Foundation
import ImageStore
import Planner
import Runtime
import State

/// The everyday verbs on one recorded container: kill, restart, rm.
extension Lifecycle {
    /// Sends `signal` (a number, see `SignalName`) to the container's main process; the monitor records the
    /// end if it ends. A container that does not run is an error naming its status.
    public func kill(_ record: ContainerRecord, signal: Int32) throws {
        let observed = Liveness(root: root, state: state).observe(record).record
        guard observed.status == .running else {
            throw ExecutorError(
                "not-running", "container \(record.name) is not running (\(ContainerExec.statusText(observed)))")
        }
        try RuntimeDriver(binary: record.runtimeBinary, root: root.runtimeRoot).kill(id: record.runtimeID, signal: String(signal))
    }

    /// Stops the container when it runs (TERM, then KILL after `gracePeriod`), then starts it again from its
    /// bundle and writable snapshot, as `berth stop` and `berth start` do.
    public func restart(_ record: ContainerRecord, gracePeriod: TimeInterval?, images: ImageStore, snapshots: SnapshotStores) throws {
        try Teardown(root: root, state: state, gracePeriod: gracePeriod).stop(record)
        guard let current = try state.container(project: record.project, name: record.name) else {
            throw ExecutorError("no-container", "container \(record.name) is no longer recorded")
        }
        try start(current, images: images, snapshots: snapshots)
    }

    /// Removes a container that does not run: its runtime entry, writable snapshot, network attachments,
    /// bundle and record (as `down` removes each of its containers). A running container is refused.
    public func remove(_ record: ContainerRecord) throws {
        let observed = Liveness(root: root, state: state).observe(record).record
        guard isRemovable(observed) else {
            throw ExecutorError(
                "running", "container \(record.name) is running; stop it first (berth stop \(record.name))")
        }
        try Teardown(root: root, state: state, gracePeriod: 1).remove(observed)
    }

    /// The one rule of `rm`: a container whose record, as observed, no process or monitor owns (not created,
    /// running, or waiting to restart under its policy).
    public func isRemovable(_ observed: ContainerRecord) -> Bool {
        !observed.status.isActive
    }
}
