import Foundation
import Runtime
import State

/// What is actually true of a recorded container, asked of the runtime: a record that says `running`
/// while the runtime no longer has the process is reported as exited, never as running.
public struct Liveness: Sendable {
    public var root: StateRoot

    public init(root: StateRoot) {
        self.root = root
    }

    /// The record with status and pid corrected from the runtime's state (the stored record is not changed).
    public func observed(_ record: ContainerRecord) -> ContainerRecord {
        guard record.status == .running || record.status == .created else { return record }
        var seen = record
        let driver = RuntimeDriver(binary: record.runtimeBinary, root: root.runtimeRoot)
        let state = try? driver.state(id: record.runtimeID)
        switch state?.status {
        case .running?, .paused?, .creating?:
            seen.status = .running
            seen.pid = state?.pid
        case .created?:
            seen.status = .created
        default:
            // Gone from the runtime (or stopped) while the record still says it runs: the monitor died
            // before it could record the end. The exit code is unknown.
            if record.status == .running || !monitorAlive(record) {
                seen.status = .exited
                seen.pid = nil
                if seen.failure == nil { seen.failure = "exit not recorded: the monitor ended before the container" }
            }
        }
        return seen
    }

    func monitorAlive(_ record: ContainerRecord) -> Bool {
        MonitorProcess.isMonitor(record.monitorPID)
    }
}
