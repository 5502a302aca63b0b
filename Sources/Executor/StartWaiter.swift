import Foundation
import State
import Supervision
#if canImport(Glibc)
import Glibc
#endif

/// Hands a recorded container to a new monitor and waits for the monitor to report how its start went.
struct StartWaiter {
    var state: StateStore

    /// Launches the monitor, records its pid, and waits for its start report: the container running
    /// (or already ended) returns, a failed start throws with the runtime's message.
    func launch(_ request: MonitorRequest, with launcher: any MonitorLauncher, timeout: TimeInterval = 60) throws {
        let monitor = try launcher.launch(request)
        var kept = false
        defer { if !kept { close(monitor.startReport) } }
        _ = try state.update(project: request.project, name: request.name) { $0.monitorPID = monitor.pid }
        var report = pollfd(fd: monitor.startReport, events: Int16(POLLIN), revents: 0)
        let deadline = Date().addingTimeInterval(timeout)
        var ready: Int32 = 0
        repeat {
            ready = poll(&report, 1, Int32(max(0, deadline.timeIntervalSinceNow) * 1000))
        } while ready < 0 && errno == EINTR
        var byte: UInt8 = 0
        let started = ready > 0 && read(monitor.startReport, &byte, 1) == 1
        let record = try state.container(project: request.project, name: request.name)
        switch record?.status {
        case .running?, .exited?, .stopped?, .restarting?:
            if started {
                launcher.keepEndReport(monitor.startReport, project: request.project, name: request.name)
                kept = true
            }
            return
        case .failed?:
            throw ExecutorError(
                "start-failed",
                "container \(request.name) failed to start: \(record?.failure ?? "unknown reason")")
        case .created?, nil:
            if ready == 0 {
                throw ExecutorError("start-timeout", "container \(request.name) did not start within \(Int(timeout)) s")
            }
            throw ExecutorError(
                "start-failed",
                "the monitor of \(request.name) ended before the container started")
        }
    }
}
