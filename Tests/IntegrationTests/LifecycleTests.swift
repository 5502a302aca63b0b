import Foundation
import Testing

/// Convergence and the lifecycle verbs against real runc.
@Suite(.serialized) struct LifecycleTests {
    struct Row: Decodable {
        var name: String
        var status: String
        var pid: Int32?
        var exitCode: Int32?
    }

    func ps(_ fixture: BerthFixture, _ project: String) throws -> [String: Row] {
        let result = try fixture.run(["ps", "-p", project, "--format", "json"])
        let rows = try JSONDecoder().decode([Row].self, from: result.stdout)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0) })
    }

    func service(_ name: String, args: String = "trap 'exit 0' TERM; sleep 300 & wait") -> String {
        """
          \(name):
            image: berth.local/busybox:demo
            args: ["sh", "-c", "\(args)"]

        """
    }

    /// The project's cgroup (`/berth/<root id>/<project>` in every hierarchy) is there while it runs and gone
    /// after `down`: the runtime removes only each container's own cgroup.
    @Test func downLeavesNoCgroupOfTheProject() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            "version: 1\nname: it-cgroup\ncontainers:\n" + service("a") + service("b"), project: "it-cgroup")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        let rootID = try #require(fixture.rootID)
        let project = try #require(BerthFixture.cgroupDirectories(rootID: rootID).first { $0.hasSuffix("/it-cgroup") })
        #expect(FileManager.default.fileExists(atPath: project + "/a"))
        let down = try fixture.run(["down", "-f", manifest, "-t", "1"])
        #expect(down.status == 0, "\(down.stderrText)")
        let left = BerthFixture.cgroupDirectories(rootID: rootID).filter { $0.hasSuffix("/it-cgroup") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func secondApplyChangesNothingAndKeepsThePids() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            "version: 1\nname: it-idem\ncontainers:\n" + service("a") + service("b"),
            project: "it-idem")
        let first = try fixture.run(["apply", "-f", manifest])
        #expect(first.status == 0, "\(first.stderrText)")
        let before = try ps(fixture, "it-idem")
        #expect(before["a"]?.status == "running" && before["b"]?.status == "running")

        let plan = try fixture.run(["plan", "-f", manifest, "--detailed-exitcode"])
        #expect(plan.status == 0, "no change expected: \(plan.stdoutText)")
        #expect(plan.stdoutText.contains("= a: running") && plan.stdoutText.contains("= b: running"))
        let second = try fixture.run(["apply", "-f", manifest])
        #expect(second.status == 0)
        #expect(second.stderrText.contains("= a: unchanged"))
        let after = try ps(fixture, "it-idem")
        #expect(after["a"]?.pid == before["a"]?.pid)
        #expect(after["b"]?.pid == before["b"]?.pid)
    }

    @Test func changedArgsReplaceOnlyThatContainerWithTheReason() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            "version: 1\nname: it-change\ncontainers:\n" + service("a", args: "trap 'exit 0' TERM; sleep 301 & wait") + service("b"),
            project: "it-change")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        let before = try ps(fixture, "it-change")
        try Data(("version: 1\nname: it-change\ncontainers:\n" + service("a") + service("b")).utf8)
            .write(to: URL(fileURLWithPath: manifest))
        let plan = try fixture.run(["plan", "-f", manifest, "--detailed-exitcode"])
        #expect(plan.status == 2)
        #expect(
            plan.stdoutText.contains(
                #"~ a: args changed ["sh","-c","trap 'exit 0' TERM; sleep 301 & wait"] → ["sh","-c","trap 'exit 0' TERM; sleep 300 & wait"]"#),
            "\(plan.stdoutText)")
        #expect(plan.stdoutText.contains("= b: running"))
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        let after = try ps(fixture, "it-change")
        #expect(after["a"]?.pid != before["a"]?.pid)
        #expect(after["a"]?.status == "running")
        #expect(after["b"]?.pid == before["b"]?.pid)
    }

    @Test func aContainerJoiningAReplacedContainersNamespacesIsReplacedToo() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        func text(_ serverArgs: String) -> String {
            "version: 1\nname: it-join\ncontainers:\n" + service("server", args: serverArgs) + """
                  client:
                    image: berth.local/busybox:demo
                    with-ns: [{type: network, container: server}]
                    args: ["sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait"]

                """
        }
        let manifest = try fixture.manifest(text("trap 'exit 0' TERM; sleep 300 & wait"), project: "it-join")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        try Data(text("trap 'exit 0' TERM; sleep 299 & wait").utf8).write(to: URL(fileURLWithPath: manifest))
        let plan = try fixture.run(["plan", "-f", manifest])
        #expect(plan.stdoutText.contains("~ server: args changed"), "\(plan.stdoutText)")
        #expect(
            plan.stdoutText.contains("~ client: joins the namespaces of server, which is being recreated"),
            "\(plan.stdoutText)")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        let rows = try ps(fixture, "it-join")
        let serverPID = try #require(rows["server"]?.pid)
        let clientPID = try #require(rows["client"]?.pid)
        let serverNet = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(serverPID)/ns/net")
        let clientNet = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(clientPID)/ns/net")
        #expect(serverNet == clientNet, "the client must share the new server's network namespace")
    }

    @Test func downWithImagesRemovesImagesNoOtherContainerUses() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest("version: 1\nname: it-down\ncontainers:\n" + service("a"), project: "it-down")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        let down = try fixture.run(["down", "-f", manifest, "--images", "-t", "1"])
        #expect(down.status == 0, "\(down.stderrText)")
        #expect(down.stderrText.contains("- image berth.local/busybox:demo: removed"))
        let list = try fixture.run(["image", "ls", "--format", "json"])
        #expect(list.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]" || !list.stdoutText.contains("busybox"))
        let blobs = try FileManager.default.contentsOfDirectory(atPath: fixture.root + "/store/blobs/sha256")
        #expect(blobs.isEmpty, "blobs left: \(blobs)")
    }

    @Test func orphansAreListedAndRemovedOnlyWithPrune() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            "version: 1\nname: it-orphan\ncontainers:\n" + service("a") + service("old"),
            project: "it-orphan")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        try Data(("version: 1\nname: it-orphan\ncontainers:\n" + service("a")).utf8).write(to: URL(fileURLWithPath: manifest))
        let plan = try fixture.run(["plan", "-f", manifest])
        #expect(plan.stdoutText.contains("old: orphan (running)"), "\(plan.stdoutText)")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        #expect(try ps(fixture, "it-orphan")["old"]?.status == "running")
        let pruned = try fixture.run(["apply", "-f", manifest, "--prune"])
        #expect(pruned.status == 0)
        #expect(pruned.stderrText.contains("- old: removed"))
        #expect(try ps(fixture, "it-orphan")["old"] == nil)
    }

    @Test func stopStartLogsAndWait() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-verbs
            containers:
              counter:
                image: berth.local/busybox:demo
                args: ["sh", "-c", "echo run >> /count; wc -l < /count; trap 'exit 3' TERM; sleep 300 & wait"]
            """, project: "it-verbs")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        let stop = try fixture.run(["stop", "-f", manifest, "counter"])
        #expect(stop.status == 0, "\(stop.stderrText)")
        let stopped = try ps(fixture, "it-verbs")["counter"]
        #expect(stopped?.status == "stopped")
        #expect(stopped?.exitCode == 3)
        let start = try fixture.run(["start", "-f", manifest, "counter"])
        #expect(start.status == 0, "\(start.stderrText)")
        #expect(try ps(fixture, "it-verbs")["counter"]?.status == "running")
        // The writable snapshot survived the stop: the second run counts two lines.
        var logs = ""
        for _ in 0..<100 {
            logs = try fixture.run(["logs", "--file", manifest, "counter"]).stdoutText
            if logs.contains("2") { break }
            usleep(50_000)
        }
        #expect(logs == "1\n2\n")
        #expect(try fixture.run(["stop", "-f", manifest]).status == 0)
        let wait = try fixture.run(["wait", "-f", manifest, "counter"])
        #expect(wait.stdoutText == "counter 3\n")
        #expect(wait.status == 3)
    }

    /// A running container whose monitor is alive is signalled without asking the runtime for its state first:
    /// a `runc state` is a Go process, and a `down` of many made one per container before its first DEL. The
    /// runtime is a logging wrapper around runc (`runtime:` takes an absolute path).
    @Test func aStopOfARunningContainerSignalsItWithoutAskingTheRuntimeFirst() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let calls = fixture.work + "/runtime-calls"
        let wrapper = fixture.work + "/runc-logged"
        try Data("#!/bin/sh\necho \"$*\" >> \(calls)\nexec /usr/sbin/runc \"$@\"\n".utf8).write(to: URL(fileURLWithPath: wrapper))
        chmod(wrapper, 0o755)
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-stopcalls
            containers:
              svc:
                image: berth.local/busybox:demo
                args: ["sh", "-c", "trap 'exit 3' TERM; sleep 300 & wait"]
                runtime: \(wrapper)
                net-none: true
            """, project: "it-stopcalls")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        #expect(try ps(fixture, "it-stopcalls")["svc"]?.status == "running")
        try Data().write(to: URL(fileURLWithPath: calls))
        let stop = try fixture.run(["stop", "-f", manifest, "svc"])
        #expect(stop.status == 0, "\(stop.stderrText)")
        let stopped = try ps(fixture, "it-stopcalls")["svc"]
        #expect(stopped?.status == "stopped")
        #expect(stopped?.exitCode == 3)
        let verbs = ["state", "kill", "delete", "run", "create", "start"]
        let used = try String(contentsOfFile: calls, encoding: .utf8).split(separator: "\n").compactMap { line in
            line.split(separator: " ").map(String.init).first { verbs.contains($0) }
        }
        #expect(used.first == "kill", "runtime calls of the stop: \(used)")
    }

    @Test func killedMonitorDoesNotMakePsLieAndDownCleansUp() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            "version: 1\nname: it-monitor\ncontainers:\n" + service("a", args: "sleep 1"),
            project: "it-monitor")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        // SIGKILL the monitor of this container: the one ps names, and a berth monitor indeed.
        let listed = try fixture.run(["ps", "-p", "it-monitor", "--format", "json"])
        let rows = try JSONSerialization.jsonObject(with: listed.stdout) as? [[String: Any]] ?? []
        var killed = false
        if let monitor = rows.first?["monitorPid"] as? Int,
            let cmdline = FileManager.default.contents(atPath: "/proc/\(monitor)/cmdline"),
            String(decoding: cmdline, as: UTF8.self).contains("__monitor")
        {
            kill(Int32(monitor), SIGKILL)
            killed = true
        }
        #expect(killed)
        sleep(2)  // the container's `sleep 1` has ended; nobody recorded it
        let row = try ps(fixture, "it-monitor")["a"]
        #expect(row?.status == "exited", "ps must not say running once the process is gone")
        let down = try fixture.run(["down", "-f", manifest])
        #expect(down.status == 0, "\(down.stderrText)")
        #expect(try ps(fixture, "it-monitor").isEmpty)
        let mounts = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
        #expect(!mounts.contains(fixture.root))
    }
}

/// Two applies of one project at once serialize on the project lock: both succeed, one container results.
@Suite(.serialized) struct ConcurrencyTests {
    @Test func concurrentAppliesOfOneProjectConverge() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-concurrent
            containers:
              a:
                image: berth.local/busybox:demo
                args: ["sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait"]
              b:
                image: berth.local/busybox:demo
                args: ["sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait"]
            """, project: "it-concurrent")
        let results = ResultsBox()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            let result = try? fixture.run(["apply", "-f", manifest])
            results.append(result?.status ?? -1, result?.stderrText ?? "")
        }
        #expect(results.statuses == [0, 0], "\(results.texts)")
        let joined = results.texts.joined(separator: "\n")
        #expect(joined.components(separatedBy: "+ a: created").count == 2, "a created exactly once: \(joined)")
        #expect(joined.contains("= a: unchanged"))
        let ps = try fixture.run(["ps", "-p", "it-concurrent", "--format", "json"])
        let rows = try JSONSerialization.jsonObject(with: ps.stdout) as? [[String: Any]]
        #expect(rows?.count == 2)
        #expect(rows?.allSatisfy { $0["status"] as? String == "running" } == true)
    }

    @Test func independentContainersStartInOneWave() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        var text = "version: 1\nname: it-wave\ncontainers:\n"
        for i in 0..<6 {
            text += "  c\(i):\n    image: berth.local/busybox:demo\n    args: [\"sh\", \"-c\", \"echo c\(i)\"]\n"
        }
        let manifest = try fixture.manifest(text, project: "it-wave")
        let result = try fixture.run(["apply", "-f", manifest, "--wait"])
        #expect(result.status == 0, "\(result.stderrText)")
        for i in 0..<6 { #expect(result.stdoutText.contains("c\(i) | c\(i)\n")) }
    }
}

private final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(Int32, String)] = []
    func append(_ status: Int32, _ text: String) { lock.lock(); items.append((status, text)); lock.unlock() }
    var statuses: [Int32] { lock.lock(); defer { lock.unlock() }; return items.map(\.0).sorted() }
    var texts: [String] { lock.lock(); defer { lock.unlock() }; return items.map(\.1) }
}
