import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Command {
    /// Runs the program to its end as `run()` does, but kills it (SIGKILL) when it has not ended within
    /// `timeout`: for helpers that can hang (a CNI plugin waiting on a lock). A killed child throws a
    /// `SystemCallError` with `ETIMEDOUT` naming the program and the limit. With `ownProcessGroup` the
    /// kill takes the child's whole process group (what it started, too); otherwise its children live on.
    public func run(timeout: Duration) throws(SystemCallError) -> Output {
        let child = try start(captureOutput: true)
        let deadline = ContinuousClock.now + timeout
        var fds = [
            pollfd(fd: child.stdout ?? -1, events: Int16(POLLIN), revents: 0),
            pollfd(fd: child.stderr ?? -1, events: Int16(POLLIN), revents: 0),
        ]
        var data = [Data(), Data()]
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var expired = false
        while fds.contains(where: { $0.fd >= 0 }) {
            let left = deadline - ContinuousClock.now
            guard left > .zero else {
                expired = true
                break
            }
            let (seconds, attoseconds) = left.components
            let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            let ready = poll(&fds, nfds_t(fds.count), milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for i in fds.indices where fds[i].fd >= 0 && fds[i].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(fds[i].fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    data[i].append(contentsOf: buffer[0..<count])
                } else if count == 0 || errno != EINTR {
                    close(fds[i].fd)
                    fds[i].fd = -1
                }
            }
        }
        for entry in fds where entry.fd >= 0 { close(entry.fd) }
        // Both pipes closed does not mean the child has ended (it may have closed them itself): wait for it
        // until the deadline too.
        while !expired && !child.hasEnded() {
            if ContinuousClock.now >= deadline {
                expired = true
            } else {
                usleep(1_000)
            }
        }
        if expired {
            if ownProcessGroup { kill(-child.pid, SIGKILL) }
            kill(child.pid, SIGKILL)
            _ = child.wait()
            throw SystemCallError("\(executable) did not finish within \(timeout) and was killed", errno: ETIMEDOUT)
        }
        return Output(status: child.wait(), stdout: data[0], stderr: data[1])
    }
}
