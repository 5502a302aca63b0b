import CLinuxShims
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
        var data = [Data(), Data()]
        var expired = !PipeDrain.drain([child.stdout ?? -1, child.stderr ?? -1], deadline: deadline) { index, chunk in
            data[index].append(contentsOf: chunk)
        }
        // Both pipes closed does not mean the child has ended (it may have closed them itself, and a child
        // that exits closes them a moment before it can be reaped): wait for it until the deadline too, on
        // its pidfd (woken by the exit itself), else looking every millisecond.
        if !expired && !child.hasEnded() {
            let pidfd = berth_pidfd_open(child.pid)
            defer { if pidfd >= 0 { close(pidfd) } }
            while !expired && !child.hasEnded() {
                let left = deadline - ContinuousClock.now
                if left <= .zero {
                    expired = true
                } else if pidfd >= 0 {
                    var ready = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
                    let milliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1
                    _ = poll(&ready, 1, Int32(clamping: milliseconds))
                } else {
                    usleep(1_000)
                }
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
