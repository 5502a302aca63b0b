import Foundation
import State
#if canImport(Glibc)
import Glibc
#endif

/// Hands a recorded container to a new monitor and waits for the monitor to report how its start went.
struct StartWaiter {
    var state: StateStore

    /// Launches the monitor, records its pid, and waits until it reports the container running, exited or failed.
    func launch(_ request: MonitorRequest, with launcher: any MonitorLauncher, timeout: TimeInterval = 60) throws {
        let monitorPID = try launcher.launch(request)
        _ = try state.update(project: request.project, name: request.name) { $0.monitorPID = monitorPID }
        try wait(project: request.project, name: request.name, timeout: timeout)
    }

    /// Waits until the monitor reports the container running, exited or failed.
    func wait(project: String, name: String, timeout: TimeInterval = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let record = try state.container(project: project, name: name) {
                switch record.status {
                case .running, .exited, .stopped: return
                case .failed:
                    throw ExecutorError(code: "start-failed",
                                        message: "container \(name) failed to start: \(record.failure ?? "unknown reason")")
                case .created: break
                }
            }
            usleep(1_000)
        }
        throw ExecutorError(code: "start-timeout", message: "container \(name) did not start within \(Int(timeout)) s")
    }
}
