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
        try awaitStart(try hand(request, to: launcher), request: request, launcher: launcher, timeout: timeout)
    }

    /// Launches the monitor and records its pid; a gated one then waits for its gate (`LaunchedMonitor.open`).
    func hand(_ request: MonitorRequest, to launcher: any MonitorLauncher) throws -> LaunchedMonitor {
        let monitor = try launcher.launch(request)
        do {
            _ = try state.update(project: request.project, name: request.name) { $0.monitorPID = monitor.pid }
        } catch {
            monitor.shut()
            close(monitor.startReport)
            throw error
        }
        return monitor
    }

    /// Waits for a launched monitor's start report (see `launch`); closes or keeps the report pipe.
    func awaitStart(_ monitor: LaunchedMonitor, request: MonitorRequest, launcher: any MonitorLauncher, timeout: TimeInterval = 60) throws {
        var kept = false
        defer { if !kept { close(monitor.startReport) } }
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

    /// Tells a gated monitor its container is not to run and waits (up to `timeout`) for it to end, so that
    /// what it releases (the runtime's container, the rootfs mount) is released before the caller goes on.
    static func cancel(_ monitor: LaunchedMonitor, timeout: TimeInterval = 30) {
        monitor.shut()
        close(monitor.startReport)
        MonitorProcess.waitForEnd(monitor.pid, timeout: timeout)
    }
}
