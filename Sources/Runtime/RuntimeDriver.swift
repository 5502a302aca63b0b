import Foundation
import OCI
#if canImport(Glibc)
import Glibc
#endif

/// Builds and runs every command line of an OCI runtime (runc or crun). Global flags live here;
/// each verb has its own options. The argv builders are pure, so they are tested without a runtime.
public struct RuntimeDriver: Sendable {
    /// Absolute path of the runtime executable.
    public var binary: String
    /// The runtime's state directory (`--root`), kept under Berth's state root.
    public var root: String
    /// Where the runtime writes its own log (`--log`), if anywhere.
    public var logFile: String?
    public var runner: any CommandRunner

    public init(binary: String, root: String, logFile: String? = nil, runner: any CommandRunner = ProcessRunner()) {
        self.binary = binary
        self.root = root
        self.logFile = logFile
        self.runner = runner
    }

    // MARK: argv

    /// Global flags, placed before the verb.
    public func globalArguments() -> [String] {
        var args = ["--root", root]
        if let logFile { args += ["--log", logFile, "--log-format", "json"] }
        return args
    }

    public struct CreateOptions: Sendable, Equatable {
        public var bundle: String
        public var pidFile: String?
        public var noPivot: Bool
        public var consoleSocket: String?
        public init(bundle: String, pidFile: String? = nil, noPivot: Bool = false, consoleSocket: String? = nil) {
            self.bundle = bundle
            self.pidFile = pidFile
            self.noPivot = noPivot
            self.consoleSocket = consoleSocket
        }
    }

    public func createArguments(id: String, _ options: CreateOptions) -> [String] {
        var args = globalArguments() + ["create", "--bundle", options.bundle]
        if let pidFile = options.pidFile { args += ["--pid-file", pidFile] }
        if options.noPivot { args.append("--no-pivot") }
        if let socket = options.consoleSocket { args += ["--console-socket", socket] }
        return args + [id]
    }

    /// `run` in the foreground: the runtime waits for the container and exits with its status.
    public func runArguments(id: String, _ options: CreateOptions) -> [String] {
        var args = globalArguments() + ["run", "--bundle", options.bundle]
        if let pidFile = options.pidFile { args += ["--pid-file", pidFile] }
        if options.noPivot { args.append("--no-pivot") }
        if let socket = options.consoleSocket { args += ["--console-socket", socket] }
        return args + [id]
    }

    /// `exec` in the foreground with the process described by a JSON file (its `terminal` decides the pty):
    /// the runtime waits for the process and exits with its status.
    public func execArguments(id: String, processFile: String) -> [String] {
        globalArguments() + ["exec", "--process", processFile, id]
    }

    /// `exec` in the foreground of the container's own process (the runtime reads it from the bundle) with
    /// `command`, and the working directory, env entries (a later key wins) and terminal given.
    public func execArguments(id: String, command: [String], tty: Bool, cwd: String?, env: [String]) -> [String] {
        var args = globalArguments() + ["exec"]
        if tty { args.append("--tty") }
        if let cwd { args += ["--cwd", cwd] }
        for entry in env { args += ["--env", entry] }
        return args + [id] + command
    }

    public func startArguments(id: String) -> [String] { globalArguments() + ["start", id] }
    public func stateArguments(id: String) -> [String] { globalArguments() + ["state", id] }
    public func listArguments() -> [String] { globalArguments() + ["list", "--format", "json"] }

    public func killArguments(id: String, signal: String, all: Bool = false) -> [String] {
        globalArguments() + ["kill"] + (all ? ["--all"] : []) + [id, signal]
    }

    public func deleteArguments(id: String, force: Bool) -> [String] {
        globalArguments() + ["delete"] + (force ? ["--force"] : []) + [id]
    }

    public struct CheckpointOptions: Sendable, Equatable {
        public var imagePath: String
        public var workPath: String?
        public var leaveRunning: Bool
        public init(imagePath: String, workPath: String? = nil, leaveRunning: Bool = false) {
            self.imagePath = imagePath
            self.workPath = workPath
            self.leaveRunning = leaveRunning
        }
    }

    public func checkpointArguments(id: String, _ options: CheckpointOptions) -> [String] {
        var args = globalArguments() + ["checkpoint", "--image-path", options.imagePath]
        if let work = options.workPath { args += ["--work-path", work] }
        if options.leaveRunning { args.append("--leave-running") }
        return args + [id]
    }

    public struct RestoreOptions: Sendable, Equatable {
        public var bundle: String
        public var imagePath: String
        public var workPath: String?
        public var pidFile: String?
        public var detach: Bool
        public var noPivot: Bool
        public init(
            bundle: String, imagePath: String, workPath: String? = nil, pidFile: String? = nil,
            detach: Bool = true, noPivot: Bool = false
        ) {
            self.bundle = bundle
            self.imagePath = imagePath
            self.workPath = workPath
            self.pidFile = pidFile
            self.detach = detach
            self.noPivot = noPivot
        }
    }

    public func restoreArguments(id: String, _ options: RestoreOptions) -> [String] {
        var args = globalArguments() + ["restore", "--bundle", options.bundle, "--image-path", options.imagePath]
        if let work = options.workPath { args += ["--work-path", work] }
        if let pid = options.pidFile { args += ["--pid-file", pid] }
        if options.detach { args.append("--detach") }
        if options.noPivot { args.append("--no-pivot") }
        return args + [id]
    }

    // MARK: running

    /// Runs a verb; a non-zero exit becomes a RuntimeError with the runtime's own message.
    @discardableResult
    public func execute(_ arguments: [String], verb: String, id: String? = nil) throws -> CommandResult {
        let result = try runner.run(binary, arguments)
        guard result.status == 0 else {
            let text = Self.runtimeMessage(result)
            let what = id.map { "\(verb) \($0)" } ?? verb
            throw RuntimeError(code: .commandFailed, message: "\((binary as NSString).lastPathComponent) \(what) failed: \(text)")
        }
        return result
    }

    /// The container's state, or nil when the runtime does not know it.
    public func state(id: String) throws -> RuntimeContainerState? {
        // runc and crun keep every container they know in `<root>/<id>`: without it there is nothing to ask
        // (a stop or removal asks several times, often after the runtime has deleted the container itself).
        var info = stat()
        if !id.isEmpty, !id.contains("/"), lstat(root + "/" + id, &info) != 0, errno == ENOENT { return nil }
        let result = try runner.run(binary, stateArguments(id: id))
        guard result.status == 0 else { return nil }
        do {
            return try JSONDecoder().decode(RuntimeContainerState.self, from: result.stdout)
        } catch {
            throw RuntimeError(code: .badOutput, message: "cannot read the state of \(id) from \(binary)", underlying: error)
        }
    }

    /// Every container the runtime knows under `root`.
    public func list() throws -> [RuntimeContainerState] {
        let result = try execute(listArguments(), verb: "list")
        let trimmed = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed == "null" { return [] }
        do {
            return try JSONDecoder().decode([RuntimeContainerState].self, from: result.stdout)
        } catch {
            throw RuntimeError(code: .badOutput, message: "cannot read the container list from \(binary)", underlying: error)
        }
    }

    public func kill(id: String, signal: String = "TERM", all: Bool = false) throws {
        try execute(killArguments(id: id, signal: signal, all: all), verb: "kill", id: id)
    }

    /// Starts a created container's process (`runc start`): the second half of `create`.
    public func start(id: String) throws {
        try execute(startArguments(id: id), verb: "start", id: id)
    }

    public func delete(id: String, force: Bool = false) throws {
        try execute(deleteArguments(id: id, force: force), verb: "delete", id: id)
    }

    /// The last message of a failed runtime call: runc prints JSON log lines or plain text on stderr.
    static func runtimeMessage(_ result: CommandResult) -> String {
        let lines = result.stderrText.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        for line in lines.reversed() {
            if let data = line.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let msg = object["msg"] as? String
            {
                return msg
            }
        }
        if let last = lines.last { return last }
        return "exit status \(result.status)"
    }
}

/// `runc state` output. `status` is an open set (runc adds `paused`, `creating`).
public struct RuntimeContainerState: Codable, Sendable, Equatable {
    public var id: String
    public var pid: Int32
    public var status: RuntimeStatus
    public var bundle: String
    public var rootfs: String?
    public var created: String?
}

public struct RuntimeStatus: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
    public var description: String { rawValue }

    public static let creating = RuntimeStatus(rawValue: "creating")
    public static let created = RuntimeStatus(rawValue: "created")
    public static let running = RuntimeStatus(rawValue: "running")
    public static let paused = RuntimeStatus(rawValue: "paused")
    public static let stopped = RuntimeStatus(rawValue: "stopped")
}
