import CLinuxShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program to run as a child process, the one way Berth starts one. It is started with `posix_spawn` and
/// reaped with `waitpid`: Foundation's `Process` notices an exit only when its run loop next polls (about
/// every 50 ms), a delay every runtime call and every container start would pay. Its standard output and
/// error are read apart while it runs, so a chatty child never blocks on a full pipe and a warning on
/// stderr never corrupts JSON on stdout.
public struct Command: Sendable {
    /// The program's path (no `PATH` search).
    public var executable: String
    public var arguments: [String]
    /// The child's whole environment; nil passes on this process's.
    public var environment: [String: String]?
    /// Bytes for the child's standard input; nil gives it /dev/null. They are written into the pipe before
    /// the child starts, so a child that never reads them cannot block Berth or break the write; they must
    /// therefore fit in one pipe (up to /proc/sys/fs/pipe-max-size, 1 MiB by default).
    public var input: Data?
    /// Starts the child as the leader of a process group of its own, so that a timeout kills it together
    /// with whatever it started (a CNI plugin's iptables), not the child alone.
    public var ownProcessGroup = false

    public init(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        input: Data? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.input = input
    }

    /// Runs the program to its end: its status (`Child.wait`) and both outputs, read apart while it ran.
    /// Throws only when it cannot be started ("cannot start PATH: …").
    public func run() throws(SystemCallError) -> Output {
        let child = try start(captureOutput: true)
        let (stdout, stderr) = Self.readToEnd(child.stdout ?? -1, child.stderr ?? -1)
        return Output(status: child.wait(), stdout: stdout, stderr: stderr)
    }

    /// Starts the program: standard output and error into pipes when `captureOutput` (the caller reads and
    /// closes them), else /dev/null. Signal mask and dispositions are reset to the defaults, so a child
    /// started from a worker thread (which blocks signals) or from the monitor (which ignores SIGPIPE)
    /// behaves as if started from a shell.
    public func start(captureOutput: Bool) throws(SystemCallError) -> Child {
        var opened: [Int32] = []
        defer { for fd in opened { close(fd) } }
        func pipe() throws(SystemCallError) -> (read: Int32, write: Int32) {
            var fds: [Int32] = [-1, -1]
            guard berth_pipe_cloexec(&fds) == 0 else { throw launchError(errno) }
            opened += fds
            return (fds[0], fds[1])
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let input {
            let stdin = try pipe()
            try fill(stdin.write, with: input)
            posix_spawn_file_actions_adddup2(&actions, stdin.read, STDIN_FILENO)
        } else {
            posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        }
        let outputs = captureOutput ? (out: try pipe(), err: try pipe()) : nil
        if let outputs {
            posix_spawn_file_actions_adddup2(&actions, outputs.out.write, STDOUT_FILENO)
            posix_spawn_file_actions_adddup2(&actions, outputs.err.write, STDERR_FILENO)
        } else {
            posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
        }
        let pid = try spawn(&actions)
        // The read ends of stdout and stderr pass to the caller; every other end closes here (`opened`).
        guard let outputs else { return Child(pid: pid, stdout: nil, stderr: nil) }
        opened.removeAll { $0 == outputs.out.read || $0 == outputs.err.read }
        return Child(pid: pid, stdout: outputs.out.read, stderr: outputs.err.read)
    }

    /// Starts the program with standard input and output on `standardInput` and `standardOutput`, standard
    /// error on /dev/null and no other descriptor inherited (for a long-lived child: the container monitor);
    /// its pid. The caller reaps it, or leaves that to whoever inherits it.
    public func start(standardInput: Int32, standardOutput: Int32) throws(SystemCallError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, standardInput, STDIN_FILENO)
        posix_spawn_file_actions_adddup2(&actions, standardOutput, STDOUT_FILENO)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
        _ = berth_spawn_actions_closefrom(&actions, 3)
        return try spawn(&actions)
    }

    /// posix_spawn with default signal mask and dispositions, this process's environment unless `environment`.
    private func spawn(_ actions: inout posix_spawn_file_actions_t) throws(SystemCallError) -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if ownProcessGroup {
            flags |= POSIX_SPAWN_SETPGROUP
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for arg in argv { free(arg) } }
        let envp = environment.map { $0.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for entry in envp ?? [] { free(entry) } }
        var pid: pid_t = 0
        var status: Int32 = 0
        // ETXTBSY: the program file is still open for writing somewhere — typically a script just written
        // while another thread's child, forked in between, still holds the inherited descriptor until it
        // execs. That passes within milliseconds; retry briefly instead of failing (as shells do not, but
        // a supervisor that starts helpers written moments ago must).
        for attempt in 0..<50 {
            status =
                envp.map { posix_spawn(&pid, executable, &actions, &attributes, argv, $0) }
                ?? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
            guard status == ETXTBSY, attempt < 49 else { break }
            usleep(10_000)
        }
        guard status == 0 else { throw launchError(status) }
        return pid
    }

    /// Writes `input` into the empty pipe `fd`, first growing the pipe when `input` would not fit.
    private func fill(_ fd: Int32, with input: Data) throws(SystemCallError) {
        if input.count > Int(fcntl(fd, Self.getPipeSize)), fcntl(fd, Self.setPipeSize, Int32(clamping: input.count)) < 0 {
            throw SystemCallError("cannot pass \(input.count) bytes to \(executable) on standard input", errno: errno)
        }
        var written = 0
        while written < input.count {
            let count = input.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                throw launchError(errno)
            }
            written += count
        }
    }

    private func launchError(_ code: Int32) -> SystemCallError {
        SystemCallError("cannot start \(executable)", errno: code)
    }

    // fcntl commands Glibc's Swift overlay does not export (Linux, F_LINUX_SPECIFIC_BASE + 8 and + 7).
    private static let getPipeSize: Int32 = 1032
    private static let setPipeSize: Int32 = 1031

    /// Reads the pipes `out` and `err` (-1: none) to their ends at once, on this thread, and closes them.
    static func readToEnd(_ out: Int32, _ err: Int32) -> (Data, Data) {
        var data = [Data(), Data()]
        PipeDrain.drain([out, err]) { index, chunk in data[index].append(contentsOf: chunk) }
        return (data[0], data[1])
    }
}

extension Command {
    /// What a finished child left behind.
    public struct Output: Sendable, Equatable {
        public var status: Int32
        public var stdout: Data
        public var stderr: Data

        public init(status: Int32, stdout: Data, stderr: Data) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
        }

        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// A started child, for callers that stream its output while it runs (the container monitor).
    public struct Child: Sendable {
        public let pid: pid_t
        /// Read ends of the child's standard output and error when they were captured (the caller closes them).
        public let stdout: Int32?
        public let stderr: Int32?

        /// Blocks until the child ends: its exit status, or 128 + the number of the signal that ended it.
        public func wait() -> Int32 {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 {
                if errno != EINTR { return 127 }
            }
            return Self.exitStatus(waitStatus: status)
        }

        /// A `waitpid` status as shells and runtimes report it: the exit code, or 128 + the number of the
        /// signal that ended the process.
        public static func exitStatus(waitStatus status: Int32) -> Int32 {
            let signal = status & 0x7f
            return signal == 0 ? (status >> 8) & 0xff : 128 + signal
        }

        /// Whether the child has ended, without reaping it (`wait` still returns its status).
        public func hasEnded() -> Bool {
            var info = siginfo_t()
            guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return true }
            return info._sifields._sigchld.si_pid != 0
        }
    }
}
