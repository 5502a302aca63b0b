import CLinuxShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Waits for a file that a child process puts in place (runc's `--pid-file`, written to a temporary name and
/// renamed), sleeping until the directory changes or the child ends instead of looking every millisecond:
/// a monitor waiting beside `runc run` then takes no CPU from it.
public enum FileArrival {
    /// `read(path)` once it gives a value, or its last try after `child` ended (nil: the file never came).
    /// Without inotify or a pidfd it looks every millisecond, as before.
    public static func wait<Value>(for path: String, while child: Command.Child, read: (String) -> Value?) -> Value? {
        // Its directory, without NSString (whose first use in a process costs more than this whole wait's set-up).
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let notify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        // Closing an inotify instance waits for the kernel's SRCU grace period (7 ms measured here), which a
        // monitor must not spend between its container's start and recording it: another thread closes it.
        defer { if notify >= 0 { WorkerThreads.detached { close(notify) } } }
        let watched = notify >= 0 && inotify_add_watch(notify, directory, UInt32(IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE)) >= 0
        let pidfd = watched ? berth_pidfd_open(child.pid) : -1
        defer { if pidfd >= 0 { close(pidfd) } }
        // The watch exists before the first look, so a file that appears after it is not missed.
        while !child.hasEnded() {
            if let value = read(path) { return value }
            guard pidfd >= 0 else {
                usleep(1_000)
                continue
            }
            var fds = [pollfd(fd: notify, events: Int16(POLLIN), revents: 0), pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)]
            // The timeout only bounds a missed wake-up; the events come first.
            _ = poll(&fds, 2, 100)
            drain(notify)
        }
        return read(path)
    }

    private static func drain(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while buffer.withUnsafeMutableBytes({ Glibc.read(fd, $0.baseAddress, $0.count) }) > 0 {}
    }
}
