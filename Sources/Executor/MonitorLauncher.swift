import BerthSystem
import CLinuxShims
import Foundation
import State
import Synchronization

/// Starts the monitor process for one container.
public protocol MonitorLauncher: Sendable {
    func launch(_ request: MonitorRequest) throws -> LaunchedMonitor
}

/// A started monitor: its pid, and the read end of its start report, a pipe on which the monitor writes one
/// byte once it has recorded the container running or failed (end of file if it ends before). The caller
/// closes `startReport`.
public struct LaunchedMonitor: Sendable {
    public let pid: pid_t
    public let startReport: Int32

    public init(pid: pid_t, startReport: Int32) {
        self.pid = pid
        self.startReport = startReport
    }
}

/// What a monitor needs to start its container, passed on its command line so that it can start the
/// runtime before it opens the state database (which it does while the runtime sets the container up).
public struct MonitorRequest: Sendable, Hashable {
    /// The hidden subcommand the `berth` binary runs as a monitor.
    public static let command = "__monitor"
    /// A warm monitor's only argument: its request comes on standard input, NUL-separated.
    public static let awaitFlag = "--await-request"

    public var root: StateRoot
    public var project: String
    public var name: String
    public var runtimeBinary: String
    public var runtimeID: String
    public var bundle: String
    public var noPivot: Bool
    public var snapshotter: String
    public var snapshotKey: String

    public init(root: StateRoot, record: ContainerRecord) {
        self.root = root
        project = record.project
        name = record.name
        runtimeBinary = record.runtimeBinary
        runtimeID = record.runtimeID
        bundle = record.bundlePath
        noPivot = record.noPivot
        snapshotter = record.snapshotter
        snapshotKey = record.snapshotKey
    }

    /// The monitor's command line, after the executable.
    public var arguments: [String] {
        var arguments = [
            Self.command, "--state-root", root.path, "--project", project, "--name", name,
            "--runtime", runtimeBinary, "--id", runtimeID, "--bundle", bundle,
            "--snapshotter", snapshotter, "--snapshot", snapshotKey,
        ]
        if noPivot { arguments.append("--no-pivot") }
        return arguments
    }

    /// Reads back what `arguments` wrote (the executable's name first); nil for any other command line.
    /// The monitor is parsed here rather than by the CLI parser: it starts on every container's critical path.
    public init?(commandLine: [String]) {
        guard commandLine.count > 1, commandLine[1] == Self.command else { return nil }
        var values: [String: String] = [:]
        var noPivot = false
        var index = 2
        while index < commandLine.count {
            let key = commandLine[index]
            if key == "--no-pivot" {
                noPivot = true
                index += 1
                continue
            }
            guard key.hasPrefix("--"), index + 1 < commandLine.count else { return nil }
            values[String(key.dropFirst(2))] = commandLine[index + 1]
            index += 2
        }
        guard let root = values["state-root"], let project = values["project"], let name = values["name"],
            let runtime = values["runtime"], let id = values["id"], let bundle = values["bundle"],
            let snapshotter = values["snapshotter"], let snapshot = values["snapshot"]
        else { return nil }
        self.root = StateRoot(path: root)
        self.project = project
        self.name = name
        self.runtimeBinary = runtime
        self.runtimeID = id
        self.bundle = bundle
        self.noPivot = noPivot
        self.snapshotter = snapshotter
        self.snapshotKey = snapshot
    }
}

/// How the `berth` binary was started, when it was started as a monitor.
public enum MonitorInvocation: Sendable, Equatable {
    /// Supervise this container.
    case supervise(MonitorRequest)
    /// A warm monitor whose input ended without a request: it was not needed.
    case unneeded

    /// Nil for any command line but a monitor's. A warm monitor (`__monitor --await-request`) gets its
    /// request, NUL-separated, from `input` (by default: all of standard input, which then becomes /dev/null).
    public init?(commandLine: [String], input: () -> Data = Self.readStandardInput) {
        if commandLine.count == 3, commandLine[1] == MonitorRequest.command, commandLine[2] == MonitorRequest.awaitFlag {
            let data = input()
            guard !data.isEmpty else {
                self = .unneeded
                return
            }
            let parts = String(decoding: data, as: UTF8.self).split(separator: "\0", omittingEmptySubsequences: false)
            guard let request = MonitorRequest(commandLine: [commandLine[0]] + parts.map(String.init)) else { return nil }
            self = .supervise(request)
        } else if let request = MonitorRequest(commandLine: commandLine) {
            self = .supervise(request)
        } else {
            return nil
        }
    }

    /// Standard input to its end; standard input is then /dev/null (the runtime must not inherit the pipe).
    public static func readStandardInput() -> Data {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        pointAtNull(STDIN_FILENO, O_RDONLY)
        return data
    }

    /// Points `fd` at /dev/null (opened with `mode`), dropping whatever it referred to.
    static func pointAtNull(_ fd: Int32, _ mode: Int32) {
        let null = open("/dev/null", mode | O_CLOEXEC)
        guard null >= 0 else { return }
        dup2(null, fd)
        close(null)
    }
}

/// Re-executes the running `berth` binary (`/proc/self/exe`) as a detached monitor: stdio on /dev/null,
/// its own session (the monitor calls setsid), so it outlives `berth apply`.
///
/// `warmUp()` starts a monitor before it is needed (apply does so before it plans): that monitor loads while
/// apply plans and then waits for its request on standard input, so a container's start does not wait for a
/// process to load. A warm monitor that gets no request (nothing to start, or apply ended) reads end of file
/// and exits.
public final class SelfExecMonitorLauncher: MonitorLauncher, Sendable {
    public let executable: String?
    /// Warm monitors, each with the write end of its request pipe.
    private let warm = Mutex<[(monitor: LaunchedMonitor, input: Int32)]>([])

    public init(executable: String? = nil) {
        self.executable = executable
    }

    deinit {
        warm.withLock { warm in
            for entry in warm {
                close(entry.input)
                close(entry.monitor.startReport)
            }
        }
    }

    /// Starts a monitor that waits for its request; failures are ignored (`launch` then starts one itself).
    public func warmUp() {
        guard let input = Self.pipe() else { return }
        defer { close(input.read) }
        guard let monitor = try? spawn([MonitorRequest.command, MonitorRequest.awaitFlag], input: input.read) else {
            close(input.write)
            return
        }
        warm.withLock { $0.append((monitor, input.write)) }
    }

    public func launch(_ request: MonitorRequest) throws -> LaunchedMonitor {
        let entry = warm.withLock { $0.popLast() }
        if let entry {
            let payload = Array(request.arguments.joined(separator: "\0").utf8)
            let written = payload.withUnsafeBytes { write(entry.input, $0.baseAddress, $0.count) }
            close(entry.input)
            if written == payload.count { return entry.monitor }
            close(entry.monitor.startReport)  // it exits at end of file; start a fresh one instead
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

    private func spawn(_ arguments: [String], input: Int32, name: String = "a container") throws -> LaunchedMonitor {
        let path = try executable ?? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
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
