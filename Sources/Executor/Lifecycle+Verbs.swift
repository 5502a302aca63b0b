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
    public func restart(_ record: ContainerRecord, gracePeriod: TimeInterval, images: ImageStore, snapshots: SnapshotStores) throws {
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
        guard observed.status != .running, !(observed.status == .created && MonitorProcess.isMonitor(observed.monitorPID)) else {
            throw ExecutorError(
                "running", "container \(record.name) is running; stop it first (berth stop \(record.name))")
        }
        try Teardown(root: root, state: state, gracePeriod: 1).remove(observed)
    }
}

/// Signal names and numbers as `kill -s` takes them: `KILL`, `SIGKILL`, `kill`, `9`, `RTMIN+3`.
public enum SignalName {
    /// The Linux signals by name (without `SIG`).
    public static let numbers: [String: Int32] = [
        "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "IOT": 6, "BUS": 7, "FPE": 8, "KILL": 9, "USR1": 10,
        "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15, "STKFLT": 16, "CHLD": 17, "CONT": 18, "STOP": 19,
        "TSTP": 20, "TTIN": 21, "TTOU": 22, "URG": 23, "XCPU": 24, "XFSZ": 25, "VTALRM": 26, "PROF": 27, "WINCH": 28,
        "IO": 29, "POLL": 29, "PWR": 30, "SYS": 31,
    ]
    static let realtimeMin: Int32 = 34
    static let realtimeMax: Int32 = 64

    /// The signal number of `text`, or nil when it names no signal.
    public static func number(_ text: String) -> Int32? {
        if let n = Int32(text) { return (1...realtimeMax).contains(n) ? n : nil }
        var name = text.uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        if let n = numbers[name] { return n }
        for (base, sign) in [("RTMIN", Int32(1)), ("RTMAX", Int32(-1))] where name.hasPrefix(base) {
            let rest = name.dropFirst(base.count)
            let anchor = sign > 0 ? realtimeMin : realtimeMax
            if rest.isEmpty { return anchor }
            let expectedSign: Character = sign > 0 ? "+" : "-"
            guard rest.first == expectedSign, let offset = Int32(rest.dropFirst()), offset >= 0 else { return nil }
            let n = anchor + sign * offset
            return (realtimeMin...realtimeMax).contains(n) ? n : nil
        }
        return nil
    }
}
