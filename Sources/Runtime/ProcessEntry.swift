import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One process as `berth top` shows it, read from `/proc/PID/stat`, `status` and `cmdline`.
public struct ProcessEntry: Sendable, Equatable, Codable {
    public var pid: Int32
    public var ppid: Int32
    /// The effective uid.
    public var uid: UInt32
    /// User plus system CPU time, in clock ticks.
    public var cpuTicks: UInt64
    /// The command line, arguments separated by spaces; `[comm]` for a process without one (a kernel thread).
    public var command: String

    public init(pid: Int32, ppid: Int32, uid: UInt32, cpuTicks: UInt64, command: String) {
        self.pid = pid
        self.ppid = ppid
        self.uid = uid
        self.cpuTicks = cpuTicks
        self.command = command
    }

    /// The process `pid`; nil when it has ended (or its files do not parse).
    public static func read(pid: Int32, proc: String = "/proc") -> ProcessEntry? {
        guard let stat = try? String(contentsOfFile: "\(proc)/\(pid)/stat", encoding: .utf8),
            let status = try? String(contentsOfFile: "\(proc)/\(pid)/status", encoding: .utf8)
        else { return nil }
        let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "\(proc)/\(pid)/cmdline"))) ?? Data()
        return parse(pid: pid, stat: stat, status: status, cmdline: cmdline)
    }

    /// Parses the three files: `stat` after the command name's closing parenthesis (the name may hold spaces
    /// and parentheses) gives the parent and the times; `Uid:` of `status` the effective uid.
    public static func parse(pid: Int32, stat: String, status: String, cmdline: Data) -> ProcessEntry? {
        guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
        let comm = String(stat[stat.index(after: open)..<close])
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3 of stat); ppid is field 4, utime 14, stime 15.
        guard fields.count > 12, let ppid = Int32(fields[1]), let utime = UInt64(fields[11]), let stime = UInt64(fields[12]) else {
            return nil
        }
        var uid: UInt32 = 0
        for line in status.split(separator: "\n") where line.hasPrefix("Uid:") {
            let ids = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if ids.count >= 3, let effective = UInt32(ids[2]) { uid = effective }
        }
        var arguments = cmdline.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        while arguments.last?.isEmpty == true { arguments.removeLast() }
        let command = arguments.isEmpty ? "[\(comm)]" : arguments.joined(separator: " ")
        return ProcessEntry(pid: pid, ppid: ppid, uid: uid, cpuTicks: utime + stime, command: command)
    }

    /// CPU time as `ps` prints it: `HH:MM:SS` (days as `D-HH:MM:SS`).
    public static func cpuTime(ticks: UInt64, ticksPerSecond: UInt64 = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))) -> String {
        let seconds = ticks / max(1, ticksPerSecond)
        let days = seconds / 86400, hours = seconds / 3600 % 24, minutes = seconds / 60 % 60, rest = seconds % 60
        func two(_ n: UInt64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let clock = "\(two(hours)):\(two(minutes)):\(two(rest))"
        return days > 0 ? "\(days)-\(clock)" : clock
    }
}
