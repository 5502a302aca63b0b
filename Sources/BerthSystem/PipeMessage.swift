#if canImport(Glibc)
import Glibc
#endif

/// Writes to a pipe whose reader may be gone (a monitor that ended) without the SIGPIPE that would end this
/// process: the signal is blocked on this thread for the write and taken back if the write raised it, so the
/// write reports EPIPE instead. Other threads' signal handling is untouched.
public enum PipeMessage {
    /// Writes all of `bytes` to `fd`; false when the reader is gone or the write failed.
    public static func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        var written = 0
        var broken = false
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                broken = errno == EPIPE
                break
            }
            written += count
        }
        if broken, sigismember(&previous, SIGPIPE) == 0 {
            // The SIGPIPE the write raised is pending on this thread: take it before the mask is restored.
            var pending = sigset_t()
            sigpending(&pending)
            if sigismember(&pending, SIGPIPE) == 1 {
                var now = timespec()
                _ = sigtimedwait(&pipeSignal, nil, &now)
            }
        }
        return written == bytes.count
    }
}
