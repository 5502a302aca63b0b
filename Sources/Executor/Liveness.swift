import Foundation
import Runtime
import State
import Supervision

/// What is actually true of a recorded container, asked of the runtime: a record that says `running`
/// while the runtime no longer has the process is reported as exited, never as running; a running
/// container whose monitor is gone is reported unsupervised.
public struct Liveness: ContainerObserver {
    public var root: StateRoot
    /// The runtime asked for the ids of containers that have no record (any recorded runtime binary
    /// shares the runtime root; runc when nothing is recorded).
    public var runtimeBinary: String?
    /// Where a record is read again once its monitor is seen gone: the monitor records the end and then
    /// exits, so a record read before that check may be stale (without a store, the record as given).
    public var state: StateStore?

    public init(root: StateRoot, runtimeBinary: String? = nil, state: StateStore? = nil) {
        self.root = root
        self.runtimeBinary = runtimeBinary
        self.state = state
    }

    /// The record with status and pid corrected from the runtime's state (the stored record is not changed).
    public func observed(_ record: ContainerRecord) -> ContainerRecord {
        observe(record).record
    }

    public func observe(_ record: ContainerRecord) -> ObservedContainer {
        guard record.status.isActive else { return ObservedContainer(record: record) }
        // A live monitor records the container's end before it exits, so its record is the truth: no
        // runtime call (a no-op apply of many containers stays cheap).
        if monitorAlive(record) { return ObservedContainer(record: record) }
        var seen = record
        // Read after the monitor was seen gone, so its last write (the exit it recorded) is in it.
        if let store = state, let fresh = try? store.container(project: record.project, name: record.name) {
            guard fresh.status.isActive else { return ObservedContainer(record: fresh) }
            if fresh.monitorPID != record.monitorPID, monitorAlive(fresh) { return ObservedContainer(record: fresh) }
            seen = fresh
        }
        let driver = RuntimeDriver(binary: record.runtimeBinary, root: root.runtimeRoot)
        let state = try? driver.state(id: record.runtimeID)
        switch state?.status {
        case .running?, .paused?, .creating?:
            seen.status = .running
            seen.pid = state?.pid
            return ObservedContainer(record: seen, supervised: false)
        case .created?:
            seen.status = .created
            return ObservedContainer(record: seen, supervised: false)
        default:
            // Gone from the runtime (or stopped) while the record still says it runs: the monitor died
            // before it could record the end. The exit code is unknown.
            let wasRestarting = seen.status == .restarting
            seen.status = .exited
            seen.pid = nil
            if wasRestarting, seen.exitCode != nil {
                if seen.failure == nil { seen.failure = "the monitor ended while waiting to restart the container" }
            } else if seen.failure == nil {
                seen.failure = "exit not recorded: the monitor ended before the container"
            }
        }
        return ObservedContainer(record: seen)
    }

    /// Read from the runtime's state directory when it can say (no runtime process on a plan's path), else
    /// asked of the runtime (`list`).
    public func runtimeIDs() -> Set<String> {
        if let ids = RuntimeDriver.containerIDs(inStateDirectory: root.runtimeRoot) { return ids }
        let binary = runtimeBinary ?? (try? RuntimeBinary.locate("runc")) ?? "runc"
        let listed = (try? RuntimeDriver(binary: binary, root: root.runtimeRoot).list()) ?? []
        return Set(listed.map(\.id))
    }

    func monitorAlive(_ record: ContainerRecord) -> Bool {
        MonitorProcess.isMonitor(record.monitorPID)
    }
}
