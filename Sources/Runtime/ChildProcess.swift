import CLinuxShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn` and reaped with `waitpid`. Foundation's `Process` notices an
/// exit only when its run loop next polls (about every 50 ms), a delay every runtime call and every
/// container start would pay; here the parent learns of the end as it happens.
public struct ChildProcess: Sendable {
    public let pid: pid_t
    /// Read ends of the child's standard output and error when they were captured (the caller closes them).
    public let stdout: Int32?
    public let stderr: Int32?

    /// Starts `executable` with `arguments`: standard input from /dev/null, standard output and error into
    /// pipes when `captureOutput`, else /dev/null. Signal mask and dispositions are reset to the defaults, so
    /// a child started from a worker thread (which blocks signals) or from the monitor (which ignores
    /// SIGPIPE) behaves as if started from a shell.
    public static func start(_ executable: String, _ arguments: [String], captureOutput: Bool) throws -> ChildProcess {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        if captureOutput {
            guard berth_pipe_cloexec(&outPipe) == 0 else { throw launchError(executable, errno) }
            guard berth_pipe_cloexec(&errPipe) == 0 else {
                let code = errno
                close(outPipe[0])
                close(outPipe[1])
                throw launchError(executable, code)
            }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        if captureOutput {
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], STDOUT_FILENO)
            posix_spawn_file_actions_adddup2(&actions, errPipe[1], STDERR_FILENO)
        } else {
            posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for arg in argv { free(arg) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        if captureOutput {
            close(outPipe[1])
            close(errPipe[1])
        }
        guard status == 0 else {
            if captureOutput {
                close(outPipe[0])
                close(errPipe[0])
            }
            throw launchError(executable, status)
        }
        return ChildProcess(pid: pid, stdout: captureOutput ? outPipe[0] : nil, stderr: captureOutput ? errPipe[0] : nil)
    }

    /// Blocks until the child ends: its exit status, or 128 + the number of the signal that ended it.
    public func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return 127 }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Whether the child has ended, without reaping it (`wait` still returns its status).
    public func hasEnded() -> Bool {
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return true }
        return info._sifields._sigchld.si_pid != 0
    }

    /// Reads `fd` to its end and closes it.
    public static func readAll(_ fd: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                data.append(contentsOf: buffer[0..<count])
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        close(fd)
        return data
    }

    private static func launchError(_ executable: String, _ code: Int32) -> RuntimeError {
        RuntimeError(code: .launchFailed, message: "cannot start \(executable): \(String(cString: strerror(code)))")
    }
}
