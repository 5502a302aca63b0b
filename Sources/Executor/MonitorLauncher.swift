import Foundation
import State

/// Starts the monitor process for one container; returns the monitor's pid.
public protocol MonitorLauncher: Sendable {
    func launch(_ request: MonitorRequest) throws -> pid_t
}

/// What a monitor needs to start its container, passed on its command line so that it can start the
/// runtime before it opens the state database (which it does while the runtime sets the container up).
public struct MonitorRequest: Sendable, Hashable {
    /// The hidden subcommand the `berth` binary runs as a monitor.
    public static let command = "__monitor"

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
        var arguments = [Self.command, "--state-root", root.path, "--project", project, "--name", name,
                         "--runtime", runtimeBinary, "--id", runtimeID, "--bundle", bundle,
                         "--snapshotter", snapshotter, "--snapshot", snapshotKey]
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
              let snapshotter = values["snapshotter"], let snapshot = values["snapshot"] else { return nil }
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

/// Re-executes the running `berth` binary (`/proc/self/exe`) as a detached monitor: stdio on /dev/null,
/// its own session (the monitor calls setsid), so it outlives `berth apply`.
public struct SelfExecMonitorLauncher: MonitorLauncher {
    public var executable: String?

    public init(executable: String? = nil) {
        self.executable = executable
    }

    public func launch(_ request: MonitorRequest) throws -> pid_t {
        let path = try executable ?? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let monitor = Foundation.Process()
        monitor.executableURL = URL(fileURLWithPath: path)
        monitor.arguments = request.arguments
        monitor.standardInput = FileHandle.nullDevice
        monitor.standardOutput = FileHandle.nullDevice
        monitor.standardError = FileHandle.nullDevice
        do {
            try monitor.run()
        } catch {
            throw ExecutorError(code: "monitor-launch-failed", message: "cannot start the monitor for \(request.name)",
                                underlying: error)
        }
        return monitor.processIdentifier
    }
}
