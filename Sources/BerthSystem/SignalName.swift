#if canImport(Glibc)
import Glibc
#endif

/// Signal names as users write them (`SIGTERM`, `TERM`, `term`, `15`) and as runtimes take them: one table
/// for `stop-signal`, `berth kill -s` and the image's StopSignal.
public enum SignalName {
    /// The Linux signals by name (without `SIG`), with their numbers on this architecture.
    public static let table: [(name: String, number: Int32)] = [
        ("HUP", SIGHUP), ("INT", SIGINT), ("QUIT", SIGQUIT), ("ILL", SIGILL), ("TRAP", SIGTRAP), ("ABRT", SIGABRT),
        ("BUS", SIGBUS), ("FPE", SIGFPE), ("KILL", SIGKILL), ("USR1", SIGUSR1), ("SEGV", SIGSEGV), ("USR2", SIGUSR2),
        ("PIPE", SIGPIPE), ("ALRM", SIGALRM), ("TERM", SIGTERM), ("STKFLT", SIGSTKFLT), ("CHLD", SIGCHLD),
        ("CONT", SIGCONT), ("STOP", SIGSTOP), ("TSTP", SIGTSTP), ("TTIN", SIGTTIN), ("TTOU", SIGTTOU), ("URG", SIGURG),
        ("XCPU", SIGXCPU), ("XFSZ", SIGXFSZ), ("VTALRM", SIGVTALRM), ("PROF", SIGPROF), ("WINCH", SIGWINCH),
        ("IO", SIGIO), ("PWR", SIGPWR), ("SYS", SIGSYS),
    ]
    /// Other names of the same signals.
    static let aliases: [String: String] = ["IOT": "ABRT", "POLL": "IO"]

    /// The number of the signal `text` names (as `parse`), or nil.
    public static func number(_ text: String) -> Int32? {
        parse(text)?.number
    }

    /// The signal `text` names, as (`SIGTERM`, 15); `RTMIN+N`/`RTMAX-N` and numbers 1...64 are accepted too.
    /// Nil for anything else.
    public static func parse(_ text: String) -> (name: String, number: Int32)? {
        var upper = text.uppercased()
        if let number = Int32(upper) {
            guard (1...64).contains(number) else { return nil }
            if let known = table.first(where: { $0.number == number }) { return ("SIG" + known.name, number) }
            return (String(number), number)
        }
        if upper.hasPrefix("SIG") { upper.removeFirst(3) }
        if let alias = aliases[upper] { upper = alias }
        if let known = table.first(where: { $0.name == upper }) { return ("SIG" + known.name, known.number) }
        let realtime = (min: Int32(34), max: Int32(64))
        for (prefix, base, sign) in [("RTMIN", realtime.min, Int32(1)), ("RTMAX", realtime.max, Int32(-1))] where upper.hasPrefix(prefix) {
            let rest = upper.dropFirst(prefix.count)
            if rest.isEmpty { return ("SIG" + prefix, base) }
            guard rest.first == (sign > 0 ? "+" : "-"), let offset = Int32(rest.dropFirst()), offset >= 0 else { return nil }
            let number = base + sign * offset
            guard (realtime.min...realtime.max).contains(number) else { return nil }
            return ("SIG\(prefix)\(sign > 0 ? "+" : "-")\(offset)", number)
        }
        return nil
    }
}
