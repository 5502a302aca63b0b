import Foundation
import Runtime
import Testing

/// The everyday commands of issue #16 against real runc: exec, logs of several containers, kill, restart,
/// rm, inspect, top, stats, and the project lookup they share.
@Suite(.serialized) struct ServiceCommandsTests {
    struct Row: Decodable {
        var name: String
        var status: String
        var pid: Int32?
        var exitCode: Int32?
    }

    static func ps(_ fixture: BerthFixture, _ project: String) throws -> [String: Row] {
        let result = try fixture.run(["ps", "-p", project, "--format", "json"])
        let rows = try JSONDecoder().decode([Row].self, from: result.stdout)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0) })
    }

    /// Polls `ps` until `name` satisfies `condition` (at most 10 s).
    static func waitFor(_ fixture: BerthFixture, _ project: String, _ name: String, _ condition: (Row) -> Bool) throws -> Row? {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let row = try ps(fixture, project)[name], condition(row) { return row }
            usleep(50_000)
        }
        return try ps(fixture, project)[name]
    }

    /// Runs a shell command line (for pipes, `script` and a working directory).
    static func shell(_ line: String) throws -> CommandResult {
        try ProcessRunner().run("/bin/sh", ["-c", line])
    }

    /// A project of long-running containers (`net-none`), applied without waiting.
    static func applyServices(_ fixture: BerthFixture, project: String, _ containers: [(String, String)]) throws -> String {
        var text = "version: 1\nname: \(project)\ncontainers:\n"
        for (name, script) in containers {
            text += "  \(name):\n    image: berth.local/busybox:demo\n    net-none: true\n    env: {FOO: bar}\n"
            text += "    args: [\"sh\", \"-c\", \"\(script)\"]\n"
        }
        let manifest = try fixture.manifest(text, project: project)
        let applied = try fixture.run(["apply", "-f", manifest])
        #expect(applied.status == 0, "\(applied.stderrText)")
        return manifest
    }

    /// `berth exec --state-root ROOT OPTIONS -- COMMAND` (the fixture's `run` adds the state root last, which
    /// for exec would be after `--`, part of the command).
    static func exec(_ fixture: BerthFixture, _ options: [String], _ command: [String]) throws -> CommandResult {
        try ProcessRunner().run(fixture.berth, ["exec", "--state-root", fixture.root] + options + ["--"] + command)
    }

    static let sleeper = "trap 'exit 0' TERM; sleep 300 & wait"

    @Test func execRunsInTheContainerWithItsOutputExitCodeUserEnvAndDirectory() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let project = "it-exec"
        _ = try Self.applyServices(fixture, project: project, [("web", Self.sleeper)])

        let failing = try Self.exec(fixture, ["-p", project, "web"], ["sh", "-c", "echo out; echo err >&2; exit 7"])
        #expect(failing.status == 7)
        #expect(failing.stdoutText == "out\n")
        #expect(failing.stderrText == "err\n")

        let plain = try Self.exec(fixture, ["-p", project, "web"], ["sh", "-c", "id -u; pwd; echo $FOO; cat /proc/1/cmdline | tr '\\0' ' '"])
        #expect(plain.status == 0, "\(plain.stderrText)")
        #expect(plain.stdoutText.hasPrefix("0\n/\nbar\nsh -c"), "the container's user, cwd and env: \(plain.stdoutText)")

        let options = try Self.exec(
            fixture, ["-p", project, "web", "-u", "1000:1000", "-w", "/tmp", "-e", "FOO=baz", "-e", "NEW=1"],
            ["sh", "-c", "id -u; id -g; pwd; echo $FOO $NEW"])
        #expect(options.stdoutText == "1000\n1000\n/tmp\nbaz 1\n", "\(options.stderrText)")
        let named = try Self.exec(fixture, ["-p", project, "web", "-u", "nobody"], ["id", "-un"])
        #expect(named.stdoutText == "nobody\n", "\(named.stderrText)")
        let unknown = try Self.exec(fixture, ["-p", project, "web", "-u", "nosuchuser"], ["id"])
        #expect(unknown.status != 0 && unknown.stderrText.contains("nosuchuser"))

        // The command gets the signal dispositions `runc exec` would give it (berth passes on what it inherited).
        let viaBerth = try Self.exec(fixture, ["-p", project, "web"], ["grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status"])
        let viaRunc = try ProcessRunner().run(
            "/usr/sbin/runc", ["--root", fixture.root + "/runtime", "exec", "\(project).web", "grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status"])
        #expect(viaBerth.stdoutText == viaRunc.stdoutText && !viaBerth.stdoutText.isEmpty, "\(viaBerth.stdoutText) vs \(viaRunc.stdoutText)")

        // Standard input: /dev/null without -i, connected with -i.
        let base = "\(fixture.berth) exec --state-root \(fixture.root) -p \(project) web"
        #expect(try Self.shell("echo piped | \(base) -- cat").stdoutText == "")
        #expect(try Self.shell("echo piped | \(base) -i -- cat").stdoutText == "piped\n")
        // The process description runc read was unlinked before runc ran: nothing is left behind.
        let left = try FileManager.default.contentsOfDirectory(atPath: fixture.root + "/containers/\(project)/web")
        #expect(!left.contains { $0.hasPrefix("exec-") }, "\(left)")
    }

    /// A resize of the caller's terminal reaches the command: runc (in the foreground, with --tty) gets the
    /// SIGWINCH and resizes the container's pty. Driven through a pty from python3. The trap is set before the
    /// first size is printed: the resize follows that line, and must find the trap in place.
    @Test func execWithTtyFollowsTerminalResizes() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let project = "it-exec-winch"
        _ = try Self.applyServices(fixture, project: project, [("web", Self.sleeper)])
        let script = fixture.work + "/winch.py"
        try Data(
            """
            import os, pty, sys, time, fcntl, termios, struct, select
            def size(fd, rows, cols): fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[1], sys.argv[1:])
            size(fd, 24, 80)
            out, start, resized = b"", time.time(), False
            while time.time() - start < 8 and out.count(b"\\n") < 2:
                if not resized and b"\\n" in out:
                    size(fd, 50, 132); resized = True
                if select.select([fd], [], [], 0.05)[0]:
                    try: data = os.read(fd, 1024)
                    except OSError: break
                    if not data: break
                    out += data
            os.kill(pid, 9); os.waitpid(pid, 0)
            sys.stdout.write(out.decode())
            """.utf8
        ).write(to: URL(fileURLWithPath: script))
        let result = try ProcessRunner().run(
            "/usr/bin/env",
            [
                "python3", script, fixture.berth, "exec", "--state-root", fixture.root, "-p", project, "-t", "web", "--", "sh", "-c",
                "trap 'stty size' WINCH; sleep 0.3; stty size; while true; do sleep 0.1; done",
            ])
        #expect(result.stdoutText.replacingOccurrences(of: "\r", with: "") == "24 80\n50 132\n", "\(result.stdoutText) \(result.stderrText)")
    }

    @Test func execWithTtyGetsAPseudoTerminalOfTheCallersSize() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let project = "it-exec-tty"
        _ = try Self.applyServices(fixture, project: project, [("web", Self.sleeper)])
        let base = "\(fixture.berth) exec --state-root \(fixture.root) -p \(project)"
        let tty = try ProcessRunner().run("/usr/bin/script", ["-qec", "\(base) -t web -- tty", "/dev/null"])
        #expect(tty.stdoutText.contains("/dev/pts/"), "\(tty.stdoutText) \(tty.stderrText)")
        let size = try ProcessRunner().run("/usr/bin/script", ["-qec", "stty cols 123 rows 45; \(base) -t web -- stty size", "/dev/null"])
        #expect(size.stdoutText.contains("45 123"), "\(size.stdoutText)")
        // -t sets TERM=xterm (with or without -u: the two ways runc is given the process); -e TERM wins.
        let term = try ProcessRunner().run(
            "/usr/bin/script", ["-qec", "\(base) -it web -- sh -c 'echo T=$TERM'; \(base) -t -u app web -- sh -c 'echo U=$TERM'", "/dev/null"])
        #expect(term.stdoutText.contains("T=xterm") && term.stdoutText.contains("U=xterm"), "\(term.stdoutText)")
        let own = try ProcessRunner().run("/usr/bin/script", ["-qec", "\(base) -t -e TERM=vt100 web -- sh -c 'echo T=$TERM'", "/dev/null"])
        #expect(own.stdoutText.contains("T=vt100"), "\(own.stdoutText)")
        // Without -t the command has no terminal, even under one.
        let none = try ProcessRunner().run("/usr/bin/script", ["-qec", "\(base) web -- tty", "/dev/null"])
        #expect(none.stdoutText.contains("not a tty"), "\(none.stdoutText)")
        // -t without any terminal (a new session, standard input not one) is refused before anything runs.
        let refused = try ProcessRunner().run(
            "/usr/bin/setsid", [fixture.berth, "exec", "--state-root", fixture.root, "-p", project, "-t", "web", "--", "tty"])
        #expect(refused.status == 2 && refused.stderrText.contains("-t needs a terminal"), "\(refused.stderrText)")
        // -t without -i under a terminal: standard input is /dev/null, the command still has its pty.
        let plainTty = try ProcessRunner().run("/usr/bin/script", ["-qec", "\(base) -t web -- tty < /dev/null", "/dev/null"])
        #expect(plainTty.stdoutText.contains("/dev/pts/"), "\(plainTty.stdoutText)")
    }

    @Test func execReachesAContainerStartedByAnEarlierProcessAndNamesAStoppedOne() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let project = "it-exec-life"
        _ = try Self.applyServices(fixture, project: project, [("web", Self.sleeper)])
        #expect(try fixture.run(["stop", "-p", project, "web", "-t", "2"]).status == 0)
        let stopped = try Self.exec(fixture, ["-p", project, "web"], ["true"])
        #expect(stopped.status == 1)
        #expect(stopped.stderrText.contains("container web is not running (stopped); berth start web"), "\(stopped.stderrText)")
        #expect(try fixture.run(["start", "-p", project, "web"]).status == 0)
        let pid = try #require(try Self.waitFor(fixture, project, "web") { $0.status == "running" }?.pid)
        let again = try Self.exec(fixture, ["-p", project, "web"], ["sh", "-c", "echo $$; cat /proc/1/status | grep PPid"])
        #expect(again.status == 0, "\(again.stderrText)")
        #expect(again.stdoutText.contains("PPid:\t0"), "runs in the container's pid namespace: \(again.stdoutText)")
        #expect(pid > 0)
        let missing = try Self.exec(fixture, ["-p", project, "nosuch"], ["true"])
        #expect(missing.status == 2 && missing.stderrText.contains("no container nosuch in project \(project)"))
    }

    @Test func logsInterleaveContainersByTimeWithPaddedPrefixesTailAndSince() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let project = "it-logs"
        _ = try Self.applyServices(
            fixture, project: project,
            [
                ("web", "echo w1; sleep 0.4; echo w2; \(Self.sleeper)"),
                ("db", "sleep 0.2; echo d1; echo d1err >&2; sleep 0.4; echo d2; \(Self.sleeper)"),
            ])
        usleep(1_200_000)
        let all = try fixture.run(["logs", "-p", project])
        #expect(all.status == 0, "\(all.stderrText)")
        #expect(all.stdoutText == "web | w1\ndb  | d1\nweb | w2\ndb  | d2\n", "\(all.stdoutText)")
        #expect(all.stderrText == "db  | d1err\n")

        let tail = try fixture.run(["logs", "-p", project, "--tail", "1"])
        #expect(tail.stdoutText == "web | w2\ndb  | d2\n", "\(tail.stdoutText)")
        let one = try fixture.run(["logs", "-p", project, "db", "--tail", "1", "--timestamps"])
        #expect(one.stdoutText.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z d2\n$"#, options: .regularExpression) != nil, "\(one.stdoutText)")

        #expect(try fixture.run(["logs", "-p", project, "--since", "1h"]).stdoutText.split(separator: "\n").count == 4)
        let future = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
        let none = try fixture.run(["logs", "-p", project, "--since", future])
        #expect(none.status == 0 && none.stdoutText.isEmpty)
        let bad = try fixture.run(["logs", "-p", project, "--since", "soonish"])
        #expect(bad.status == 2)
    }

    @Test func logsFollowPrintsLaterLinesUntilTheContainersEnd() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let project = "it-logs-follow"
        _ = try Self.applyServices(fixture, project: project, [("job", "echo early; sleep 1; echo late")])
        let started = Date()
        let followed = try fixture.run(["logs", "-p", project, "-f"])
        #expect(followed.status == 0, "\(followed.stderrText)")
        #expect(followed.stdoutText == "job | early\njob | late\n", "\(followed.stdoutText)")
        #expect(Date().timeIntervalSince(started) < 8)
    }

    @Test func killRestartAndRm() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let project = "it-verbs"
        _ = try Self.applyServices(
            fixture, project: project, [("web", "trap 'exit 3' TERM; sleep 300 & wait"), ("db", Self.sleeper)])

        #expect(try fixture.run(["kill", "-p", project, "-s", "SIGTERM", "web"]).status == 0)
        #expect(try Self.waitFor(fixture, project, "web") { $0.status == "exited" }?.exitCode == 3)
        let notRunning = try fixture.run(["kill", "-p", project, "web"])
        #expect(notRunning.status == 1 && notRunning.stderrText.contains("container web is not running (exited (3))"))
        #expect(try fixture.run(["kill", "-p", project, "-s", "NOSUCH"]).status == 2)

        let before = try #require(try Self.ps(fixture, project)["db"]?.pid)
        let restarted = try fixture.run(["restart", "-p", project, "-t", "2", "web", "db"])
        #expect(restarted.status == 0, "\(restarted.stderrText)")
        let web = try Self.waitFor(fixture, project, "web") { $0.status == "running" }
        let db = try Self.waitFor(fixture, project, "db") { $0.status == "running" }
        #expect(web?.status == "running")
        #expect(db?.pid != nil && db?.pid != before)

        #expect(try fixture.run(["kill", "-p", project, "db"]).status == 0)
        #expect(try Self.waitFor(fixture, project, "db") { $0.status == "exited" }?.exitCode == 137)

        let refused = try fixture.run(["rm", "-p", project, "web"])
        #expect(refused.status == 1 && refused.stderrText.contains("container web is running"), "\(refused.stderrText)")
        #expect(try Self.ps(fixture, project)["web"] != nil)
        let removed = try fixture.run(["rm", "-p", project, "db"])
        #expect(removed.status == 0, "\(removed.stderrText)")
        #expect(try Self.ps(fixture, project)["db"] == nil)
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/containers/\(project)/db"))
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/snapshots/overlayfs/active/\(project).db"))
        #expect(try fixture.run(["rm", "-p", project, "db"]).status == 2)

        // Without names: rm removes only what does not run, kill signals every running container.
        #expect(try fixture.run(["rm", "-p", project]).status == 0)
        #expect(try Self.ps(fixture, project)["web"]?.status == "running")
        #expect(try fixture.run(["kill", "-p", project]).status == 0)
        #expect(try Self.waitFor(fixture, project, "web") { $0.status == "exited" }?.exitCode == 137)
        #expect(try fixture.run(["rm", "-p", project]).status == 0)
        #expect(try Self.ps(fixture, project).isEmpty)
    }

    @Test func inspectTopAndStats() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let project = "it-inspect"
        _ = try Self.applyServices(fixture, project: project, [("web", "trap 'exit 0' TERM; sleep 301 & sleep 302 & wait")])
        let row = try #require(try Self.waitFor(fixture, project, "web") { $0.status == "running" })

        let inspected = try fixture.run(["inspect", "-p", project, "web"])
        #expect(inspected.status == 0, "\(inspected.stderrText)")
        let object = try #require(try JSONSerialization.jsonObject(with: inspected.stdout) as? [String: Any])
        let record = try #require(object["record"] as? [String: Any])
        #expect(record["name"] as? String == "web" && record["runtimeID"] as? String == "\(project).web")
        let spec = try #require(object["spec"] as? [String: Any])
        #expect(spec["digest"] as? String == record["specDigest"] as? String, "the bundle's config.json is the one recorded")
        let mounts = try #require(spec["mounts"] as? [[String: Any]])
        #expect(mounts.contains { $0["destination"] as? String == "/proc" })
        #expect((object["observed"] as? [String: Any])?["status"] as? String == "running")
        #expect(object["networks"] as? [Any] != nil)
        // Sorted keys: the same record prints the same bytes.
        #expect(try fixture.run(["inspect", "-p", project, "web"]).stdout == inspected.stdout)

        let top = try fixture.run(["top", "-p", project, "web"])
        #expect(top.status == 0, "\(top.stderrText)")
        let lines = top.stdoutText.split(separator: "\n")
        #expect(lines.first?.hasPrefix("PID") == true)
        #expect(lines.contains { $0.hasPrefix("\(row.pid ?? -1) ") }, "the main process: \(top.stdoutText)")
        #expect(lines.contains { $0.hasSuffix("sleep 301") } && lines.contains { $0.hasSuffix("sleep 302") }, "\(top.stdoutText)")

        let stats = try fixture.run(["stats", "-p", project, "--no-stream", "--format", "json"])
        #expect(stats.status == 0, "\(stats.stderrText)")
        let rows = try #require(try JSONSerialization.jsonObject(with: stats.stdout) as? [[String: Any]])
        #expect(rows.count == 1 && rows.first?["name"] as? String == "web")
        #expect(rows.first?["pids"] as? Int == 3, "\(stats.stdoutText)")
        #expect((rows.first?["memoryBytes"] as? Int ?? 0) > 0)
        #expect(rows.first?["cpuPercent"] as? Double != nil)
        // Streaming: a reading about once a second (one JSON array per line) until interrupted.
        let stream = try ProcessRunner().run(
            "/usr/bin/timeout", ["-s", "INT", "2.8", fixture.berth, "stats", "--state-root", fixture.root, "-p", project, "--format", "json"])
        let readings = stream.stdoutText.split(separator: "\n")
        #expect(readings.count >= 2 && readings.count <= 3, "\(stream.stdoutText)")
        #expect(readings.allSatisfy { $0.hasPrefix("[{") && $0.contains("\"name\":\"web\"") }, "\(stream.stdoutText)")
        let text = try fixture.run(["stats", "-p", project, "--no-stream", "web"])
        #expect(text.stdoutText.hasPrefix("NAME") && text.stdoutText.contains("web "), "\(text.stdoutText)")

        #expect(try fixture.run(["stop", "-p", project, "web", "-t", "2"]).status == 0)
        let stopped = try fixture.run(["top", "-p", project, "web"])
        #expect(stopped.status == 1 && stopped.stderrText.contains("is not running (stopped)"))
    }

    @Test func hostileNamesAreRefusedAndTheProjectIsLookedUp() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let project = "it-lookup"
        let manifest = try Self.applyServices(fixture, project: project, [("web", Self.sleeper)])
        for arguments in [
            ["exec", "-p", project, "../x", "--", "id"], ["exec", "-p", "../../etc", "web", "--", "id"], ["logs", "-p", "../../etc"],
            ["logs", "-p", project, "../x"], ["rm", "-p", project, "../x"], ["kill", "-p", project, "a/b"],
            ["inspect", "-p", project, ".."], ["top", "-p", "../../etc", "web"], ["stats", "-p", project, "../web"],
            ["restart", "-p", project, "-x"],
        ] {
            let result = try fixture.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderrText)")
        }
        // No -p, no berth.yaml here: the error lists the projects this state root knows.
        let empty = fixture.work + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let lost = try Self.shell("cd \(empty) && \(fixture.berth) logs --state-root \(fixture.root)")
        #expect(lost.status == 2)
        #expect(lost.stderrText.contains("-p PROJECT") && lost.stderrText.contains("known projects: \(project)"), "\(lost.stderrText)")
        // In the manifest's directory the manifest names the project; elsewhere --file does.
        let directory = (manifest as NSString).deletingLastPathComponent
        let here = try Self.shell("cd \(directory) && \(fixture.berth) exec --state-root \(fixture.root) web -- echo found")
        #expect(here.stdoutText == "found\n", "\(here.stderrText)")
        let viaFile = try Self.shell("cd \(empty) && \(fixture.berth) logs --state-root \(fixture.root) --file \(manifest) --tail 0")
        #expect(viaFile.status == 0, "\(viaFile.stderrText)")
    }
}
