import Foundation
import Testing
@testable import Runtime

/// Children started with posix_spawn: exit statuses, separate streams, a clean signal state.
struct ChildProcessTests {
    static let statuses: [(String, Int32)] = [("exit 0", 0), ("exit 3", 3), ("kill -TERM $$", 128 + 15), ("kill -KILL $$", 128 + 9)]

    @Test(arguments: statuses)
    func statusIsTheExitCodeOr128PlusTheSignal(script: String, expected: Int32) throws {
        let result = try ProcessRunner().run("/bin/sh", ["-c", script])
        #expect(result.status == expected)
    }

    @Test func streamsAreReadSeparatelyAndCompletely() throws {
        // More than a pipe's buffer on both streams at once: neither side may block the other.
        let result = try ProcessRunner().run("/bin/sh", ["-c", "seq 1 40000; seq 1 40000 >&2; echo done"])
        let lines = result.stdoutText.split(separator: "\n")
        #expect(lines.count == 40001)
        #expect(lines.last == "done")
        #expect(result.stderrText.split(separator: "\n").count == 40000)
    }

    @Test func childStartsWithNoBlockedOrIgnoredSignals() throws {
        // Started from a worker thread that blocks signals and a process that ignores SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, SIG_DFL) }
        let result = try DispatchQueue.global().sync {
            try ProcessRunner().run("/bin/sh", ["-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status"])
        }
        func mask(_ field: String) -> UInt64? {
            let line = result.stdoutText.split(separator: "\n").first { $0.hasPrefix(field + ":") }
            return line.flatMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) }
        }
        #expect(mask("SigBlk") == 0, "\(result.stdoutText)")
        // Signal n is bit n-1. (glibc keeps its two internal real-time signals, 32 and 33, as they are.)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD] {
            #expect((mask("SigIgn") ?? .max) & (1 << UInt64(signal - 1)) == 0, "signal \(signal): \(result.stdoutText)")
        }
    }

    @Test func hasEndedDoesNotReapTheChild() throws {
        let child = try ChildProcess.start("/bin/sh", ["-c", "exit 7"], captureOutput: false)
        var ended = false
        for _ in 0..<500 where !ended {
            ended = child.hasEnded()
            if !ended { usleep(10_000) }
        }
        #expect(ended)
        #expect(child.wait() == 7)
    }

    @Test func missingExecutableIsALaunchError() {
        #expect(throws: RuntimeError.self) { try ChildProcess.start("/no/such/binary", [], captureOutput: true) }
    }
}
