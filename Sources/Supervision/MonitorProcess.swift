import BerthSystem
import CLinuxShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Monitors seen from outside: whether a pid is still a Berth monitor, and waking up when monitors end
/// (through pidfds, so a waiter learns of the end at once instead of polling for it).
public enum MonitorProcess {
    /// Whether `pid` is a running Berth monitor (and not a recycled pid).
    public static func isMonitor(_ pid: Int32?) -> Bool {
        guard let pid, pid > 0 else { return false }
        // Read with plain system calls (followers ask every few milliseconds).
        guard let cmdline = SmallFile.bytes("/proc/\(pid)/cmdline") else { return false }
        return SmallFile.contains(cmdline, MonitorRequest.command)
    }

    /// The monitor supervising the container whose process is `pid`: the container's parent is the
    /// runtime's `run`, whose parent is the monitor. Nil when none is found (the monitor died).
    public static func monitor(ofContainer pid: Int32?) -> Int32? {
        var current = pid
        for _ in 0..<3 {
            guard let pid = current, pid > 1, let parent = parentPID(of: pid) else { return nil }
            if isMonitor(parent) { return parent }
            current = parent
        }
        return nil
    }

    /// The parent pid, from /proc/PID/stat (field 4, after the parenthesized command name).
    public static func parentPID(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    /// Waits until the monitor `pid` ends or `timeout` passes.
    public static func waitForEnd(_ pid: Int32, timeout: TimeInterval) {
        guard isMonitor(pid) else { return }
        let watch = EndWatch()
        watch.add(pid)
        let deadline = Date().addingTimeInterval(timeout)
        while watch.hasLiveProcesses, Date() < deadline, isMonitor(pid) {
            watch.wait(milliseconds: Int32(max(1, min(100, deadline.timeIntervalSinceNow * 1000))))
        }
    }
}

/// A set of processes whose end wakes `wait`. Processes that already ended (or cannot be watched) are
/// not kept; the caller checks the state after each wake-up.
public final class EndWatch {
    private var fds: [Int32: Int32] = [:]  // pid → pidfd
    /// Other descriptors whose end (or any input) wakes `wait`: monitors' end reports, by container name.
    private var reports: [String: Int32] = [:]

    public init() {}

    deinit {
        for fd in fds.values { close(fd) }
        for fd in reports.values { close(fd) }
    }

    /// Watches `descriptor` (taking it) for the end `name`'s monitor reports; it leaves the set when it wakes `wait`.
    public func add(report descriptor: Int32, name: String) {
        if let old = reports.updateValue(descriptor, forKey: name) { close(old) }
    }

    /// Whether the end report of `name` is still awaited.
    public func awaitsReport(_ name: String) -> Bool { reports[name] != nil }

    public func add(_ pid: Int32) {
        guard pid > 0, fds[pid] == nil else { return }
        let fd = berth_pidfd_open(pid)
        if fd >= 0 { fds[pid] = fd }
    }

    public var hasLiveProcesses: Bool { !fds.isEmpty }

    /// Sleeps until a watched process ends or `milliseconds` pass; ended processes leave the set.
    public func wait(milliseconds: Int32) {
        guard !fds.isEmpty || !reports.isEmpty else {
            usleep(UInt32(milliseconds) * 1000)
            return
        }
        let pids = Array(fds.keys)
        let names = Array(reports.keys)
        var polled =
            pids.map { pollfd(fd: fds[$0] ?? -1, events: Int16(POLLIN), revents: 0) }
            + names.map { pollfd(fd: reports[$0] ?? -1, events: Int16(POLLIN), revents: 0) }
        let ready = poll(&polled, nfds_t(polled.count), milliseconds)
        guard ready > 0 else { return }
        for (pid, entry) in zip(pids, polled) where entry.revents != 0 {
            if let fd = fds.removeValue(forKey: pid) { close(fd) }
        }
        for (name, entry) in zip(names, polled[pids.count...]) where entry.revents != 0 {
            if let fd = reports.removeValue(forKey: name) { close(fd) }
        }
    }
}
