import BerthSystem
import CLinuxShims
import Foundation
import State
import Synchronization
import Supervision

/// Starts the monitor process for one container.
public protocol MonitorLauncher: Sendable {
    func launch(_ request: MonitorRequest) throws -> LaunchedMonitor
    /// Takes the read end of a started monitor's report pipe, past its start byte: the monitor closes the pipe
    /// once it has recorded the container's end, so a follower in this process wakes then (`endReports`).
    func keepEndReport(_ descriptor: Int32, project: String, name: String)
}

extension MonitorLauncher {
    public func keepEndReport(_ descriptor: Int32, project: String, name: String) { close(descriptor) }
}

/// A started monitor: its pid, and the read end of its start report, a pipe on which the monitor writes one
/// byte once it has recorded the container running or failed (end of file if it ends before). The caller
/// closes `startReport`. A gated monitor (`MonitorRequest.gated`) also has `gate`, the write end of the pipe
/// it waits on before it starts the container: `open()` lets it start, `shut()` tells it not to.
public struct LaunchedMonitor: Sendable {
    public let pid: pid_t
    public let startReport: Int32
    public let gate: Int32?

    public init(pid: pid_t, startReport: Int32, gate: Int32? = nil) {
        self.pid = pid
        self.startReport = startReport
        self.gate = gate
    }

    /// Lets a gated monitor start its created container; false when the monitor is gone.
    public func open() -> Bool {
        guard let gate else { return true }
        defer { close(gate) }
        return PipeMessage.write(gate, [MonitorRequest.startByte])
    }

    /// Tells a gated monitor that its container is not to run (end of file on the gate).
    public func shut() {
        if let gate { close(gate) }
    }
}

/// Starts `berth-monitor` (installed beside the running `berth`; without it, the running binary itself in
/// its hidden monitor mode) as a detached monitor: stdio on /dev/null, its own session (the monitor calls
/// setsid), so it outlives `berth apply`. The separate executable links only the Supervision module, so each
/// supervised container costs less memory than a copy of the whole `berth` binary would.
///
/// `warmUp()` starts a monitor before it is needed (apply does so before it plans): that monitor loads while
/// apply plans and then waits for its request on standard input, so a container's start does not wait for a
/// process to load. A warm monitor that gets no request (nothing to start, or apply ended) reads end of file
/// and exits.
public final class SelfExecMonitorLauncher: MonitorLauncher, Sendable {
    public let executable: String?
    /// Warm monitors, each with the write end of its request pipe.
    private let warm = Mutex<[(monitor: LaunchedMonitor, input: Int32)]>([])
    /// End reports of the monitors this launcher started, by project and container name.
    private let ends = Mutex<[String: [String: Int32]]>([:])

    /// Whether end reports are kept for `takeEndReports` (a follower in this process will wait for the
    /// containers); otherwise each is closed at once, so that starting many containers keeps no descriptors.
    public let keepsEndReports: Bool

    public init(executable: String? = nil, keepsEndReports: Bool = false) {
        self.executable = executable
        self.keepsEndReports = keepsEndReports
    }

    deinit {
        warm.withLock { warm in
            for entry in warm {
                close(entry.input)
                close(entry.monitor.startReport)
            }
        }
        ends.withLock { kept in
            for descriptor in kept.values.flatMap(\.values) { close(descriptor) }
        }
    }

    /// Starts a monitor that waits for its request; failures are ignored (`launch` then starts one itself).
    /// With `root`, the warm monitor readies that state root's database while it waits (`Monitor.prepareState`).
    public func warmUp(root: StateRoot? = nil) {
        guard let input = Self.pipe() else { return }
        defer { close(input.read) }
        let arguments = [MonitorRequest.command, MonitorRequest.awaitFlag] + (root.map { [$0.path] } ?? [])
        guard let monitor = try? spawn(arguments, input: input.read) else {
            close(input.write)
            return
        }
        warm.withLock { $0.append((monitor, input.write)) }
    }

    public func keepEndReport(_ descriptor: Int32, project: String, name: String) {
        guard keepsEndReports else {
            close(descriptor)
            return
        }
        let replaced = ends.withLock { kept in
            defer { kept[project, default: [:]][name] = descriptor }
            return kept[project]?[name]
        }
        if let replaced { close(replaced) }
    }

    /// The end reports kept for `project`'s containers (the caller closes them), by container name.
    public func takeEndReports(project: String) -> [String: Int32] {
        ends.withLock { $0.removeValue(forKey: project) ?? [:] }
    }

    public func launch(_ request: MonitorRequest) throws -> LaunchedMonitor {
        let entry = warm.withLock { $0.popLast() }
        if let entry {
            // A gated monitor keeps its request pipe as its gate.
            if PipeMessage.write(entry.input, request.framed) {
                if request.gated {
                    return LaunchedMonitor(pid: entry.monitor.pid, startReport: entry.monitor.startReport, gate: entry.input)
                }
                close(entry.input)
                return entry.monitor
            }
            close(entry.input)
            close(entry.monitor.startReport)  // it exits at end of file; start a fresh one instead
        }
        if request.gated {
            guard let gate = Self.pipe() else {
                throw ExecutorError("monitor-launch-failed", "cannot start the monitor for \(request.name): no pipe")
            }
            defer { close(gate.read) }
            do {
                let monitor = try spawn(request.arguments, input: gate.read, name: request.name)
                return LaunchedMonitor(pid: monitor.pid, startReport: monitor.startReport, gate: gate.write)
            } catch {
                close(gate.write)
                throw error
            }
        }
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { if null >= 0 { close(null) } }
        return try spawn(request.arguments, input: null, name: request.name)
    }

    /// A pipe whose ends are close-on-exec, so that no other child inherits them.
    private static func pipe() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [-1, -1]
        guard berth_pipe_cloexec(&fds) == 0 else { return nil }
        return (fds[0], fds[1])
    }

    /// `berth-monitor` in the directory of the running executable when it is there, else the running executable.
    public static func defaultExecutable() throws -> String {
        let running = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        // Plain string work: the kernel's link is absolute and clean (URL's path handling costs a few hundred µs of
        // first-use work on every apply).
        let directory = running.lastIndex(of: "/").map { String(running[..<$0]) } ?? "."
        let sibling = directory + "/" + monitorExecutableName
        return access(sibling, X_OK) == 0 ? sibling : running
    }

    /// The monitor executable's name.
    public static let monitorExecutableName = "berth-monitor"

    private func spawn(_ arguments: [String], input: Int32, name: String = "a container") throws -> LaunchedMonitor {
        let path = try executable ?? Self.defaultExecutable()
        guard let report = Self.pipe() else {
            throw ExecutorError("monitor-launch-failed", "cannot start the monitor for \(name): no pipe")
        }
        defer { close(report.write) }
        // posix_spawn, not Foundation's Process (which also starts a thread to watch its children): the warm-up
        // runs on apply's main thread, before it plans. The monitor is not reaped here: apply ends first, and
        // a monitor that ended before is seen through its pidfd and /proc, as any other.
        do {
            let pid = try Command(path, arguments).start(standardInput: input, standardOutput: report.write)
            return LaunchedMonitor(pid: pid, startReport: report.read)
        } catch {
            close(report.read)
            throw ExecutorError(
                "monitor-launch-failed", "cannot start the monitor for \(name)",
                underlying: error)
        }
    }
}
