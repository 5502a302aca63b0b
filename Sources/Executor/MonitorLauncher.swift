import Foundation
import State

/// Starts the monitor process for one container.
public protocol MonitorLauncher: Sendable {
    func launch(root: StateRoot, project: String, name: String) throws
}

/// The hidden subcommand the `berth` binary runs as a monitor.
public enum MonitorCommand {
    public static let name = "__monitor"

    public static func arguments(root: StateRoot, project: String, name: String) -> [String] {
        [Self.name, "--state-root", root.path, "--project", project, "--name", name]
    }
}

/// Re-executes the running `berth` binary (`/proc/self/exe`) as a detached monitor: stdio on /dev/null,
/// its own session (the monitor calls setsid), so it outlives `berth apply`.
public struct SelfExecMonitorLauncher: MonitorLauncher {
    public var executable: String?

    public init(executable: String? = nil) {
        self.executable = executable
    }

    public func launch(root: StateRoot, project: String, name: String) throws {
        let path = try executable ?? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let monitor = Foundation.Process()
        monitor.executableURL = URL(fileURLWithPath: path)
        monitor.arguments = MonitorCommand.arguments(root: root, project: project, name: name)
        monitor.standardInput = FileHandle.nullDevice
        monitor.standardOutput = FileHandle.nullDevice
        monitor.standardError = FileHandle.nullDevice
        do {
            try monitor.run()
        } catch {
            throw ExecutorError(code: "monitor-launch-failed", message: "cannot start the monitor for \(name)", underlying: error)
        }
    }
}
