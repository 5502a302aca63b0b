import Foundation
import State
import Supervision
#if canImport(Glibc)
import Glibc
#endif

/// Streams the output of a project's containers while they run and collects their exit codes
/// (`apply --wait`). Records are replayed from the start of each log, so an unchanged one-shot
/// container reports the output and exit code of its run.
public struct OutputFollower: Sendable {
    public var root: StateRoot
    public var state: StateStore

    public init(root: StateRoot, state: StateStore) {
        self.root = root
        self.state = state
    }

    public struct Result: Sendable, Equatable {
        public var name: String
        /// Nil when the container failed to start.
        public var exitCode: Int32?
        public var failure: String?
    }

    /// Streams the output of `names` until every container of `until` (default: all of `names`) has ended;
    /// `emit` gets each record with its container's name. Results are for `until`, in its order.
    /// With `skipExisting`, output written before the call is not replayed. `readers` continues readers the
    /// caller has already read from (`berth logs` prints the history first); the others start at the start.
    /// The records of one polling round are emitted in time order across containers. `endReports` are
    /// monitors' report pipes (`SelfExecMonitorLauncher.takeEndReports`), taken over: a container whose monitor
    /// closes its pipe is looked at again at once, so its recorded end needs no quick polling to be seen.
    public func follow(
        project: String, names: [String], until: [String]? = nil, skipExisting: Bool = false,
        readers given: [String: LogReader] = [:], endReports: [String: Int32] = [:], emit: (String, LogRecord) -> Void
    ) throws -> [Result] {
        let awaited = until ?? names
        var readers = Dictionary(
            uniqueKeysWithValues: try names.map {
                ($0, try given[$0] ?? LogReader(path: root.logFile(project: project, name: $0)))
            })
        if skipExisting {
            for (name, reader) in readers where given[name] == nil { _ = reader.readNew() }
        }
        var results: [String: Result] = [:]
        let liveness = Liveness(root: root, state: state)
        let ends = EndWatch()
        for (name, descriptor) in endReports {
            if names.contains(name) { ends.add(report: descriptor, name: name) } else { close(descriptor) }
        }
        let quickUntil = Date().addingTimeInterval(0.2)
        while !awaited.allSatisfy({ results[$0] != nil }) {
            var round: [(name: String, record: LogRecord)] = []
            for name in names where results[name] == nil {
                var record = try state.container(project: project, name: name)
                if let monitor = record?.monitorPID { ends.add(monitor) }
                if let r = record, r.status.isActive, !liveness.monitorAlive(r) {
                    // The monitor is gone: ask the runtime what is true rather than wait forever.
                    record = liveness.observed(r)
                }
                let ended = record.map { [.exited, .failed, .stopped].contains($0.status) } ?? true
                // Read after checking the status, so nothing written before the exit is missed.
                for entry in readers[name]?.readNew() ?? [] { round.append((name, entry)) }
                if ended {
                    results[name] = Result(
                        name: name, exitCode: record?.exitCode,
                        failure: record == nil ? "no longer recorded" : record?.failure)
                    readers[name] = nil
                }
            }
            for entry in LogSelection.interleaved(round) { emit(entry.name, entry.record) }
            // Woken at once when a monitor reports its container's end or ends (it has recorded the exit by then);
            // else every 5 ms for output. Without a report to wait for, every 1 ms in the first 200 ms: a
            // short-lived container's recorded exit is then seen before its monitor has unmounted and ended.
            let pending = awaited.filter { results[$0] == nil }
            if !pending.isEmpty {
                let reported = pending.allSatisfy { ends.awaitsReport($0) }
                ends.wait(milliseconds: !reported && Date() < quickUntil ? 1 : 5)
            }
        }
        return awaited.compactMap { results[$0] }
    }
}
