import BerthSystem
import Foundation
import State
#if canImport(Glibc)
import Glibc
#endif

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

    /// Nil for any command line but a monitor's. A warm monitor (`__monitor --await-request [STATE-ROOT]`) gets
    /// its request, NUL-separated, from `input` (by default: all of standard input, which then becomes /dev/null);
    /// given the state root, it first has `prepare` ready the state database there while it waits.
    public init?(
        commandLine: [String], input: () -> Data = Self.readStandardInput, prepare: (StateRoot) -> Void = Monitor.prepareState
    ) {
        if commandLine.count == 3 || commandLine.count == 4, commandLine[1] == MonitorRequest.command,
            commandLine[2] == MonitorRequest.awaitFlag
        {
            if commandLine.count == 4, commandLine[3].hasPrefix("/") { prepare(StateRoot(path: commandLine[3])) }
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
