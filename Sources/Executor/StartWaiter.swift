import Foundation
import State
#if canImport(Glibc)
import Glibc
#endif

/// Waits for a monitor to report how a container's start went.
struct StartWaiter {
    var state: StateStore

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
            usleep(2_000)
        }
        throw ExecutorError(code: "start-timeout", message: "container \(name) did not start within \(Int(timeout)) s")
    }
}
