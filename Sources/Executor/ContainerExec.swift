import BerthSystem
import Foundation
import OCI
import Runtime
import SpecBuilder
import State
#if canImport(Glibc)
import Glibc
#endif

/// What `berth exec` runs in a container besides its own process.
public struct ExecOptions: Sendable, Equatable {
    /// The command and its arguments (not empty).
    public var command: [String]
    /// `uid[:gid]` or names looked up in the container's `/etc/passwd` and `/etc/group`; nil: the container's user.
    public var user: String?
    /// An absolute directory in the container; nil: the container's working directory.
    public var workingDirectory: String?
    /// `K=V` entries that override the container's env by key (new keys are appended).
    public var environment: [String]
    /// A pseudo-terminal for the process (runc allocates it and proxies it to this terminal).
    public var tty: Bool
    /// Standard input stays connected; without it the process reads /dev/null.
    public var interactive: Bool

    public init(
        command: [String], user: String? = nil, workingDirectory: String? = nil, environment: [String] = [],
        tty: Bool = false, interactive: Bool = false
    ) {
        self.command = command
        self.user = user
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.tty = tty
        self.interactive = interactive
    }
}

/// Runs an extra process in a running container through `runc exec`, from the container's own process
/// (its `config.json`): same env, user, working directory, capabilities and limits unless overridden.
/// A process description (for `-u`) goes to runc as a file that is already unlinked
/// (`--process /proc/self/fd/N`), so nothing is left behind when berth replaces itself with runc.
public struct ContainerExec: Sendable {
    public var root: StateRoot

    public init(root: StateRoot) {
        self.root = root
    }

    /// The runc command line, and the process file runc reads through `/proc/self/fd/<descriptor>` when there is one.
    public struct Prepared: Sendable {
        public var runtimeBinary: String
        public var arguments: [String]
        public var processDescriptor: Int32?
        public var interactive: Bool
    }

    /// Checks that `record` runs (as the runtime and the monitor show it) and prepares its `runc exec`.
    /// Without `-u` the runtime itself starts from the container's process (no config.json is read here):
    /// `--cwd`, `--env` (a later key wins) and `--tty` adjust it. A user needs the whole process: its groups
    /// replace the container's, which runc's `--user` cannot do, so it goes to runc as a process file.
    public func prepare(_ record: ContainerRecord, state: StateStore?, options: ExecOptions) throws -> Prepared {
        let observed = Liveness(root: root, state: state).observe(record).record
        guard observed.status == .running else {
            throw ExecutorError(
                "not-running",
                "container \(record.name) is not running (\(Self.statusText(observed))); berth start \(record.name)")
        }
        let driver = RuntimeDriver(binary: record.runtimeBinary, root: root.runtimeRoot)
        guard options.user != nil else {
            return Prepared(
                runtimeBinary: record.runtimeBinary,
                arguments: driver.execArguments(
                    id: record.runtimeID, command: options.command, tty: options.tty, cwd: options.workingDirectory,
                    env: Self.terminalEnvironment(options) + options.environment),
                processDescriptor: nil, interactive: options.interactive)
        }
        let bundle = try root.bundle(project: record.project, name: record.name)
        let configPath = bundle + "/config.json"
        let spec: RuntimeSpec
        do {
            spec = try CanonicalJSON.decode(RuntimeSpec.self, from: try Data(contentsOf: URL(fileURLWithPath: configPath)))
        } catch {
            throw ExecutorError("spec-unreadable", "cannot read the runtime spec of \(record.name) (\(configPath))", underlying: error)
        }
        let rootPath = spec.root?.path ?? "rootfs"
        let rootfs = rootPath.hasPrefix("/") ? rootPath : bundle + "/" + rootPath
        let process = try Self.process(from: spec, options: options, rootfsPath: rootfs)
        let descriptor = try writeProcessFile(process, project: record.project, name: record.name)
        return Prepared(
            runtimeBinary: record.runtimeBinary,
            arguments: driver.execArguments(id: record.runtimeID, processFile: "/proc/self/fd/\(descriptor)"),
            processDescriptor: descriptor, interactive: options.interactive)
    }

    /// The container's process with `options` applied: the command, the user (resolved in the rootfs at
    /// `rootfsPath`), the working directory, the env overrides and the terminal.
    public static func process(from spec: RuntimeSpec, options: ExecOptions, rootfsPath: String) throws -> OCIProcess {
        var process = spec.process ?? OCIProcess()
        process.args = options.command
        process.commandLine = nil
        process.consoleSize = nil
        process.terminal = options.tty
        if let user = options.user {
            let resolved = try SpecBuilder.resolveUser(user, rootfsPath: rootfsPath)
            process.user.uid = resolved.uid
            process.user.gid = resolved.gid
            process.user.additionalGids = resolved.additionalGids
            process.user.username = nil
        }
        if let cwd = options.workingDirectory { process.cwd = cwd }
        process.env = SpecBuilder.overridingEnvironment(process.env ?? [], with: terminalEnvironment(options) + options.environment)
        return process
    }

    /// `TERM=xterm` with a terminal (as docker exec sets it), unless `-e` names TERM.
    static func terminalEnvironment(_ options: ExecOptions) -> [String] {
        options.tty && !options.environment.contains(where: { $0.hasPrefix("TERM=") }) ? ["TERM=xterm"] : []
    }

    /// A record's status as `ps` words it: `exited (0)`, `stopped`, `failed: why`.
    public static func statusText(_ record: ContainerRecord) -> String {
        switch record.status {
        case .exited: return "exited (\(record.exitCode.map(String.init) ?? "?"))"
        case .failed: return "failed" + (record.failure.map { ": \($0)" } ?? "")
        default: return record.status.rawValue
        }
    }

    /// Writes the process JSON into the container's directory and unlinks it at once: the open
    /// descriptor (inherited by runc across exec) is all that is left of it.
    func writeProcessFile(_ process: OCIProcess, project: String, name: String) throws -> Int32 {
        let directory = try root.containerDirectory(project: project, name: name)
        let path = try root.guarded(directory + "/exec-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).json", "create")
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            throw ExecutorError("exec-file-failed", SystemCallError("cannot create \(path)", errno: errno).description)
        }
        unlink(path)
        let data = try CanonicalJSON.encode(process)
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count else {
            close(fd)
            throw ExecutorError("exec-file-failed", SystemCallError("cannot write \(path)", errno: errno).description)
        }
        return fd
    }

    /// Replaces this process with runc: stdio, signals and the exit status become runc's, which are the
    /// command's. Standard input is /dev/null unless `interactive`; SIGPIPE is set back to its default
    /// (an ignored one would reach the command). Returns only by throwing.
    public static func replaceProcess(with prepared: Prepared) throws -> Never {
        if !prepared.interactive {
            let null = open("/dev/null", O_RDONLY)
            if null >= 0 {
                dup2(null, STDIN_FILENO)
                if null != STDIN_FILENO { close(null) }
            }
        }
        fflush(nil)
        // Only what a Swift process may have changed itself; what berth inherited (a background job's
        // ignored SIGINT) passes on to the command, as through any exec.
        signal(SIGPIPE, SIG_DFL)
        let argv = [prepared.runtimeBinary] + prepared.arguments
        var pointers: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        pointers.append(nil)
        execv(prepared.runtimeBinary, &pointers)
        let failure = errno
        for pointer in pointers { free(pointer) }
        throw RuntimeError(
            code: .launchFailed, message: SystemCallError("cannot run \(prepared.runtimeBinary)", errno: failure).description)
    }
}
