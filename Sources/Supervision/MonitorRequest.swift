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
    /// Create the container, then start it only when told to on `gate`: the caller attaches the container's
    /// network meanwhile, so the runtime's own set-up and the CNI chain overlap (`--gated`).
    public var gated = false
    /// The monitor's end of the gate (a pipe from the caller): one byte `S` says start; end of file before it
    /// says the container is not to run. Not part of the command line; set by `MonitorInvocation`.
    public var gate: Int32?

    /// The byte that opens a gated monitor's gate.
    public static let startByte: UInt8 = 0x53

    public init(root: StateRoot, record: ContainerRecord, gated: Bool = false) {
        self.gated = gated
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
        if gated { arguments.append("--gated") }
        return arguments
    }

    /// Reads back what `arguments` wrote (the executable's name first); nil for any other command line.
    /// The monitor is parsed here rather than by the CLI parser: it starts on every container's critical path.
    public init?(commandLine: [String]) {
        guard commandLine.count > 1, commandLine[1] == Self.command else { return nil }
        var values: [String: String] = [:]
        var noPivot = false
        var gated = false
        var index = 2
        while index < commandLine.count {
            let key = commandLine[index]
            if key == "--no-pivot" || key == "--gated" {
                if key == "--no-pivot" { noPivot = true } else { gated = true }
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
        self.gated = gated
    }

    /// The bytes a warm monitor reads as its request: the length in decimal and a newline, then the arguments
    /// NUL-separated. The length lets the pipe stay open after the request, as the gate of a gated one.
    public var framed: [UInt8] {
        let payload = Array(arguments.joined(separator: "\0").utf8)
        return Array("\(payload.count)\n".utf8) + payload
    }
}

/// How the `berth` binary was started, when it was started as a monitor.
public enum MonitorInvocation: Sendable, Equatable {
    /// Supervise this container.
    case supervise(MonitorRequest)
    /// A warm monitor whose input ended without a request: it was not needed.
    case unneeded

    /// Nil for any command line but a monitor's. A warm monitor (`__monitor --await-request [STATE-ROOT]`) gets
    /// its request, NUL-separated, from `input` (by default: the framed request on standard input); given the
    /// state root, it first has `prepare` ready the state database there while it waits. Standard input then
    /// becomes /dev/null, kept first as the gate of a gated request (`takeGate`).
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
            guard var request = MonitorRequest(commandLine: [commandLine[0]] + parts.map(String.init)) else { return nil }
            request.gate = Self.takeGate(gated: request.gated)
            self = .supervise(request)
        } else if var request = MonitorRequest(commandLine: commandLine) {
            request.gate = Self.takeGate(gated: request.gated)
            self = .supervise(request)
        } else {
            return nil
        }
    }

    /// Done with standard input, which the runtime must not inherit: it becomes /dev/null. A gated request
    /// keeps it first as its gate, moved to a close-on-exec descriptor (returned; nil when not gated).
    static func takeGate(gated: Bool) -> Int32? {
        let gate = gated ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3) : -1
        pointAtNull(STDIN_FILENO, O_RDONLY)
        return gate >= 0 ? gate : nil
    }

    /// The request on standard input (`MonitorRequest.framed`: its length, a newline, the request); empty when
    /// the input ends first (the warm monitor was not needed). Standard input stays open: `takeGate` is done
    /// with it once the request says whether it is gated.
    public static func readStandardInput() -> Data {
        var header: [UInt8] = []
        var byte: UInt8 = 0
        while header.count < 12 {
            let count = read(STDIN_FILENO, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            guard count == 1 else { break }
            if byte == 0x0A { break }
            header.append(byte)
        }
        guard let length = Int(String(decoding: header, as: UTF8.self)), length > 0, length <= 1 << 20 else { return Data() }
        var payload = [UInt8](repeating: 0, count: length)
        var filled = 0
        while filled < length {
            let count = payload.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress! + filled, length - filled) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            filled += count
        }
        return filled == length ? Data(payload) : Data()
    }

    /// Points `fd` at /dev/null (opened with `mode`), dropping whatever it referred to.
    static func pointAtNull(_ fd: Int32, _ mode: Int32) {
        let null = open("/dev/null", mode | O_CLOEXEC)
        guard null >= 0 else { return }
        dup2(null, fd)
        close(null)
    }
}
