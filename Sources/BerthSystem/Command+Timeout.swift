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
