import Foundation
import Testing

/// Restart policies, health checks, dependency conditions, stop settings and init, with real runc.
@Suite(.serialized) struct ServiceTests {
    struct Row: Decodable {
        var name: String
        var status: String
        var pid: Int32?
        var monitorPid: Int32?
        var exitCode: Int32?
        var restartCount: Int?
        var health: String?
    }

    func ps(_ fixture: BerthFixture, _ project: String) throws -> [String: Row] {
        let result = try fixture.run(["ps", "-p", project, "--format", "json"])
        let rows = try JSONDecoder().decode([Row].self, from: result.stdout)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0) })
    }

    /// Polls `ps` until `condition` holds for `name`'s row or `timeout` passes; the last row seen.
    @discardableResult
    func waitFor(
        _ fixture: BerthFixture, _ project: String, _ name: String, timeout: TimeInterval, _ condition: (Row) -> Bool
    ) throws -> Row? {
        let deadline = Date().addingTimeInterval(timeout)
        var last: Row?
        repeat {
            last = try ps(fixture, project)[name]
            if let row = last, condition(row) { return row }
            usleep(50_000)
        } while Date() < deadline
        return last
    }

    @Test func onFailureRunsFourTimesAndStaysExitedWithThreeRestarts() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-onfail
            containers:
              job:
                image: berth.local/busybox:demo
                args: ["sh", "-c", "echo run; exit 1"]
                net-none: true
                restart: on-failure:3
            """, project: "it-onfail")
        let started = Date()
        let apply = try fixture.run(["apply", "-f", manifest, "--wait"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(apply.status == 1, "\(apply.stderrText)")
        #expect(apply.stdoutText.components(separatedBy: "run\n").count - 1 == 4, "\(apply.stdoutText)")
        // Three waits: 100 + 200 + 400 ms.
        #expect(elapsed >= 0.7, "restarted without backoff: \(elapsed) s")
        let row = try #require(try ps(fixture, "it-onfail")["job"])
        #expect(row.status == "exited" && row.exitCode == 1 && row.restartCount == 3, "\(row)")
        let logs = try fixture.run(["logs", "-p", "it-onfail", "job"])
        #expect(logs.stdoutText == "run\nrun\nrun\nrun\n", "\(logs.stdoutText)")
        #expect(try fixture.run(["down", "-f", manifest]).status == 0)
    }

    @Test func alwaysComesBackAfterAKillAndStopEndsThePolicy() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-always
            containers:
              svc:
                image: berth.local/busybox:demo
                args: ["sleep", "300"]
                net-none: true
                init: true
                restart: always
                stop-grace-period: 500ms
            """, project: "it-always")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        let first = try #require(try ps(fixture, "it-always")["svc"])
        let pid = try #require(first.pid)
        #expect(kill(pid, SIGKILL) == 0)
        let back = try waitFor(fixture, "it-always", "svc", timeout: 10) { $0.status == "running" && $0.pid != pid }
        #expect(back?.status == "running" && back?.restartCount == 1, "\(String(describing: back))")
        #expect(back?.pid != nil && back?.pid != pid)
        let text = try fixture.run(["ps", "-p", "it-always"]).stdoutText
        #expect(text.contains("running (restarted 1×)"), "\(text)")

        let stop = try fixture.run(["stop", "-p", "it-always", "svc"])
        #expect(stop.status == 0, "\(stop.stderrText)")
        usleep(500_000)
        let stopped = try #require(try ps(fixture, "it-always")["svc"])
        #expect(stopped.status == "stopped" && stopped.restartCount == 1, "stop must end the policy: \(stopped)")

        // A killed monitor is noticed, and the next apply puts the container under a monitor again.
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        let restarted = try #require(try ps(fixture, "it-always")["svc"])
        let monitor = try #require(restarted.monitorPid)
        #expect(kill(monitor, SIGKILL) == 0)
        usleep(200_000)
        let plan = try fixture.run(["plan", "-f", manifest])
        #expect(plan.stdoutText.contains("running without its monitor"), "\(plan.stdoutText)")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        let again = try #require(try ps(fixture, "it-always")["svc"])
        #expect(again.status == "running" && again.monitorPid != nil && again.monitorPid != monitor, "\(again)")
        #expect(try fixture.run(["down", "-f", manifest]).status == 0)
    }

    @Test func healthGoesFromHealthyToUnhealthy() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-health
            containers:
              web:
                image: berth.local/busybox:demo
                args: ["sh", "-c", "touch /tmp/ok; sleep 2; rm /tmp/ok; echo gone; sleep 300"]
                net-none: true
                init: true
                healthcheck:
                  test: ["CMD", "test", "-e", "/tmp/ok"]
                  interval: 200ms
                  timeout: 2s
                  retries: 2
            """, project: "it-health")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        let starting = try #require(try ps(fixture, "it-health")["web"])
        #expect(starting.health == "starting" || starting.health == "healthy", "\(starting)")
        let healthy = try waitFor(fixture, "it-health", "web", timeout: 5) { $0.health == "healthy" }
        #expect(healthy?.health == "healthy")
        let unhealthy = try waitFor(fixture, "it-health", "web", timeout: 8) { $0.health == "unhealthy" }
        #expect(unhealthy?.health == "unhealthy" && unhealthy?.status == "running", "\(String(describing: unhealthy))")
        let text = try fixture.run(["ps", "-p", "it-health"]).stdoutText
        #expect(text.contains("running (unhealthy)"), "\(text)")
        struct Inspection: Decodable {
            struct Health: Decodable {
                struct Probe: Decodable { var exitCode: Int32 }
                var status: String?
                var log: [Probe]
            }
            var health: Health?
        }
        let inspect = try fixture.run(["inspect", "-p", "it-health", "web"])
        let health = try #require(try JSONDecoder().decode(Inspection.self, from: inspect.stdout).health, "\(inspect.stdoutText)")
        #expect(health.status == "unhealthy" && (1...5).contains(health.log.count) && health.log.last?.exitCode == 1, "\(inspect.stdoutText)")
        #expect(try fixture.run(["down", "-f", manifest]).status == 0)
    }

    @Test func dependentsWaitForTheirConditionsAndAreSkippedWithTheHealthOutput() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-cond
            containers:
              db:
                image: berth.local/busybox:demo
                args: ["sh", "-c", "sleep 1; touch /tmp/ready; sleep 300"]
                net-none: true
                init: true
                healthcheck:
                  test: ["CMD", "test", "-e", "/tmp/ready"]
                  interval: 100ms
              migrate:
                image: berth.local/busybox:demo
                args: ["sh", "-c", "sleep 0.3"]
                net-none: true
              app:
                image: berth.local/busybox:demo
                args: ["sleep", "300"]
                net-none: true
                init: true
                depends-on:
                  db: {condition: healthy}
                  migrate: {condition: completed-successfully}
              broken:
                image: berth.local/busybox:demo
                args: ["sleep", "300"]
                net-none: true
                init: true
                healthcheck:
                  test: ["CMD-SHELL", "echo not ready yet; exit 1"]
                  interval: 100ms
                  retries: 1
              client:
                image: berth.local/busybox:demo
                args: ["sleep", "300"]
                net-none: true
                init: true
                depends-on:
                  broken: {condition: healthy, timeout: 2s}
              other:
                image: berth.local/busybox:demo
                args: ["sleep", "300"]
                net-none: true
                init: true
            """, project: "it-cond")
        let apply = try fixture.run(["apply", "-f", manifest])
        #expect(apply.status != 0)
        #expect(
            apply.stderrText.contains("it depends on broken being healthy")
                && apply.stderrText.contains("last health check: exit 1: not ready yet"), "\(apply.stderrText)")
        let rows = try ps(fixture, "it-cond")
        #expect(rows["app"]?.status == "running", "app waits for db and migrate, then starts: \(apply.stderrText)")
        #expect(rows["db"]?.health == "healthy")
        #expect(rows["migrate"]?.status == "exited" && rows["migrate"]?.exitCode == 0)
        #expect(rows["client"] == nil || rows["client"]?.status != "running", "\(String(describing: rows["client"]))")
        #expect(rows["other"]?.status == "running", "independents proceed")
        #expect(try fixture.run(["down", "-f", manifest]).status == 0)
    }

    /// `init: true` puts tini in front of the command as PID 1. A process that ignores SIGTERM still needs
    /// SIGKILL (an ignored signal stays ignored across exec, so tini's forwarding cannot end it): the stop
    /// then takes the container's `stop-grace-period`, not the default 10 s.
    @Test func initRunsTiniAsPidOneAndStopHonoursSignalAndGracePeriod() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-init
            containers:
              stubborn:
                image: berth.local/busybox:demo
                args: ["sh", "-c", "tr \\"\\\\000\\" \\" \\" < /proc/1/cmdline; echo; trap \\"\\" TERM; sleep 100"]
                net-none: true
                init: true
                stop-grace-period: 1s
              graceful:
                image: berth.local/busybox:demo
                args: ["sh", "-c", "trap \\"echo got INT; exit 0\\" INT; while true; do sleep 0.1; done"]
                net-none: true
                stop-signal: SIGINT
            """, project: "it-init")
        let spec = try fixture.run(["spec", "-f", manifest, "stubborn"])
        #expect(spec.stdoutText.contains("\"/dev/init\""), "\(spec.stdoutText)")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        #expect(try waitFor(fixture, "it-init", "stubborn", timeout: 3) { $0.status == "running" }?.status == "running")
        usleep(300_000)
        let pidOne = try fixture.run(["logs", "-p", "it-init", "stubborn"]).stdoutText
        #expect(pidOne.hasPrefix("/dev/init -g -- sh -c"), "PID 1 is not tini: \(pidOne)")
        let started = Date()
        let stop = try fixture.run(["stop", "-p", "it-init", "stubborn"])
        let took = Date().timeIntervalSince(started)
        #expect(stop.status == 0, "\(stop.stderrText)")
        #expect(took >= 0.9 && took < 4, "stop-grace-period 1s not honoured: \(took) s")

        let graceful = try fixture.run(["stop", "-p", "it-init", "graceful"])
        #expect(graceful.status == 0, "\(graceful.stderrText)")
        let logs = try fixture.run(["logs", "-p", "it-init", "graceful"])
        #expect(logs.stdoutText.contains("got INT"), "stop-signal SIGINT was not sent: \(logs.stdoutText)")
        #expect(try ps(fixture, "it-init")["graceful"]?.exitCode == 0)
        #expect(try fixture.run(["down", "-f", manifest]).status == 0)
    }

    /// A reboot leaves records that say running and no process: `berth boot` starts what `always` and
    /// `unless-stopped` ask for, not containers without a policy nor those stopped by hand.
    @Test func bootStartsWhatThePoliciesAskForAfterEverythingDied() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        func service(_ name: String, _ policy: String) -> String {
            "  \(name):\n    image: berth.local/busybox:demo\n    args: [\"sleep\", \"300\"]\n    net-none: true\n    init: true\n"
                + "    stop-grace-period: 500ms\n    restart: \"\(policy)\"\n"
        }
        let manifest = try fixture.manifest(
            "version: 1\nname: it-boot\ncontainers:\n" + service("always", "always") + service("kept", "unless-stopped")
                + service("plain", "no") + service("paused", "unless-stopped"), project: "it-boot")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        #expect(try fixture.run(["stop", "-p", "it-boot", "paused"]).status == 0)
        for row in try ps(fixture, "it-boot").values where row.status == "running" {
            if let monitor = row.monitorPid { kill(monitor, SIGKILL) }
            usleep(50_000)
            if let pid = row.pid { kill(pid, SIGKILL) }
        }
        usleep(500_000)
        let boot = try fixture.run(["boot"])
        #expect(boot.status == 0, "\(boot.stderrText)")
        #expect(boot.stderrText.contains("it-boot/always: started") && boot.stderrText.contains("it-boot/kept: started"), "\(boot.stderrText)")
        #expect(boot.stderrText.contains("it-boot/paused: stopped by hand"), "\(boot.stderrText)")
        let rows = try ps(fixture, "it-boot")
        #expect(rows["always"]?.status == "running" && rows["kept"]?.status == "running")
        #expect(rows["plain"]?.status == "exited", "\(String(describing: rows["plain"]))")
        #expect(rows["paused"]?.status == "stopped")
        let again = try fixture.run(["boot"])
        #expect(again.stderrText.contains("it-boot/always: already running"), "\(again.stderrText)")

        let unit = try fixture.run(["export", "systemd", "-f", manifest])
        #expect(unit.status == 0, "\(unit.stderrText)")
        #expect(unit.stdoutText.contains("ExecStart=") && unit.stdoutText.contains(" apply --state-root ") && unit.stdoutText.contains(manifest))
        #expect(unit.stdoutText.contains("Type=oneshot") && unit.stdoutText.contains("RemainAfterExit=yes"))
        #expect(try fixture.run(["down", "-f", manifest]).status == 0)
    }
}
