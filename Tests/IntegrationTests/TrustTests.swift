import Foundation
import Runtime
import Testing

/// Issue #13's reproductions against the real binary and real runc: hostile names and plan files reach no
/// path outside the state root, state roots are independent, apply converges, and a lost or damaged state
/// database orphans nothing.
@Suite(.serialized) struct TrustTests {
    struct Row: Decodable {
        var project: String
        var name: String
        var status: String
        var pid: Int32?
        var monitorPid: Int32?
        var supervised: Bool?
        var recorded: Bool?
        var exitCode: Int32?
    }

    func ps(_ fixture: BerthFixture, _ project: String) throws -> [String: Row] {
        let result = try fixture.run(["ps", "-p", project, "--format", "json"])
        let rows = try JSONDecoder().decode([Row].self, from: result.stdout)
        return Dictionary(rows.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    static let sleeper = #"["sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait"]"#

    func twoContainers(_ project: String, names: (String, String) = ("victim", "store")) -> String {
        """
        version: 1
        name: \(project)
        containers:
          \(names.0):
            image: berth.local/busybox:demo
            args: \(Self.sleeper)
          \(names.1):
            image: berth.local/busybox:demo
            args: \(Self.sleeper)
        """
    }

    /// Every file and directory under `path`, for before/after comparisons.
    static func listing(_ path: String) -> [String] {
        (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? []).sorted()
    }

    static let hostileProjects: [String] = [
        "..", ".", "/", "../..", "../../decoy", "../decoy", "feature/login-page", "x y", "", "UPPER", "-x", "_x",
        ".hidden", "a.b", "a:b", "a,b", "a\nb", "a\tb", "$(id)", "`id`", "~", "*", "a/../..", "//", "./x",
        String(repeating: "a", count: 64), String(repeating: "a/", count: 200), "wеb", "ａ", "web\u{200B}",
        "é", "\u{FEFF}x", "👍", "x%2f..",
    ]

    @Test func hostileProjectNamesReachNoPathAndExitTwo() throws {
        #expect(Self.hostileProjects.count >= 30)
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        // A decoy next to the state root, where `-p ../../decoy` and `-p ..` used to write and delete.
        let base = URL(fileURLWithPath: fixture.root).deletingLastPathComponent().path
        let decoy = base + "/decoy/victim"
        try FileManager.default.createDirectory(atPath: decoy, withIntermediateDirectories: true)
        try Data("keep\n".utf8).write(to: URL(fileURLWithPath: decoy + "/file.txt"))
        let manifest = try fixture.manifest(twoContainers("it-hostile"), project: "it-hostile")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        let rootBefore = Self.listing(fixture.root).filter { !$0.contains("/rootfs/") && !$0.hasPrefix("snapshots/") }
        let baseBefore = try FileManager.default.contentsOfDirectory(atPath: base).sorted()

        for value in Self.hostileProjects where !value.contains("\0") {
            for command in [["apply"], ["plan"], ["down", "-t", "1"], ["stop", "-t", "1"], ["start"], ["ps"]] {
                let result = try fixture.run(command + ["-f", manifest, "--project-name=\(value)"])
                #expect(result.status == 2, "\(command[0]) -p \(value.debugDescription): \(result.status) \(result.stderrText)")
                // An empty value is refused by the parser itself ("Missing value"), with the same status.
                let said = value.isEmpty ? "Missing value" : "invalid project name"
                #expect(result.stderrText.contains(said), "\(command[0]) -p \(value.debugDescription): \(result.stderrText)")
            }
        }
        #expect(try String(contentsOfFile: decoy + "/file.txt", encoding: .utf8) == "keep\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: base).sorted() == baseBefore)
        let rootAfter = Self.listing(fixture.root).filter { !$0.contains("/rootfs/") && !$0.hasPrefix("snapshots/") }
        #expect(rootAfter == rootBefore, "the state root changed: \(Set(rootAfter).symmetricDifference(rootBefore))")
        // The project's containers were never touched.
        let rows = try ps(fixture, "it-hostile")
        #expect(rows["victim"]?.status == "running" && rows["store"]?.status == "running")
    }

    @Test func aManifestNameWithADotIsRefusedWithItsLocation() throws {
        let fixture = try BerthFixture()
        let manifest = try fixture.manifest(
            "version: 1\nname: a.b\ncontainers:\n  c:\n    image: berth.local/busybox:demo\n",
            project: "it-dotname")
        let result = try fixture.run(["plan", "-f", manifest])
        #expect(result.status == 2)
        #expect(result.stderrText.contains("berth.yaml:2:7: error: invalid project name \"a.b\""), "\(result.stderrText)")
    }

    @Test func aTamperedSavedPlanIsRefusedAndTouchesNothing() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let base = URL(fileURLWithPath: fixture.root).deletingLastPathComponent().path
        let somewhere = base + "/somewhere/victim"
        try FileManager.default.createDirectory(atPath: somewhere, withIntermediateDirectories: true)
        try Data("keep\n".utf8).write(to: URL(fileURLWithPath: somewhere + "/file.txt"))
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-plan
            containers:
              victim:
                image: berth.local/busybox:demo
                args: ["echo", "planned"]
            """, project: "it-plan")
        let planPath = fixture.work + "/plan.json"
        #expect(try fixture.run(["plan", "-f", manifest, "-o", planPath]).status == 0)
        let original = try Data(contentsOf: URL(fileURLWithPath: planPath))

        let edits: [(String, (inout [String: Any]) -> Void)] = [
            (
                "containers[0].name",
                { plan in
                    var containers = plan["containers"] as! [[String: Any]]
                    containers[0]["name"] = "../../../somewhere/victim"
                    plan["containers"] = containers
                }
            ),
            ("project", { plan in plan["project"] = "../../somewhere" }),
            (
                "configHash",
                { plan in
                    var containers = plan["containers"] as! [[String: Any]]
                    var definition = containers[0]["definition"] as! [String: Any]
                    definition["args"] = ["sh", "-c", "echo tampered > /tampered"]
                    containers[0]["definition"] = definition
                    plan["containers"] = containers
                }
            ),
        ]
        for (field, edit) in edits {
            var object = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])
            edit(&object)
            let tampered = fixture.work + "/tampered.json"
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: tampered))
            let result = try fixture.run(["apply", tampered, "--wait"])
            #expect(result.status != 0, "a plan with an edited \(field) was applied")
            #expect(result.stderrText.contains(field), "\(field): \(result.stderrText)")
            #expect(!result.stdoutText.contains("tampered"))
        }
        #expect(try String(contentsOfFile: somewhere + "/file.txt", encoding: .utf8) == "keep\n")
        #expect(Self.listing(base + "/somewhere") == ["victim", "victim/file.txt"])
        #expect(try ps(fixture, "it-plan").isEmpty)
        // The untouched plan still applies.
        let applied = try fixture.run(["apply", planPath, "--wait"])
        #expect(applied.status == 0, "\(applied.stderrText)")
        #expect(applied.stdoutText == "planned\n")
    }

    @Test func twoStateRootsWithTheSameProjectAreIndependent() throws {
        let first = try BerthFixture()
        let second = try BerthFixture()
        try first.importBusybox()
        try second.importBusybox()
        let text = """
            version: 1
            name: it-roots
            containers:
              web:
                image: berth.local/busybox:demo
                args: \(Self.sleeper)
                memory-limit: 64m
            """
        let a = try first.manifest(text, project: "it-roots")
        let b = try second.manifest(text, project: "it-roots")
        #expect(try first.run(["apply", "-f", a]).status == 0)
        #expect(try second.run(["apply", "-f", b]).status == 0)
        let pidA = try #require(try ps(first, "it-roots")["web"]?.pid)
        let pidB = try #require(try ps(second, "it-roots")["web"]?.pid)
        let cgroupA = try String(contentsOfFile: "/proc/\(pidA)/cgroup", encoding: .utf8)
        let cgroupB = try String(contentsOfFile: "/proc/\(pidB)/cgroup", encoding: .utf8)
        let memoryA = cgroupA.split(separator: "\n").first { $0.contains(":memory:") }
        let memoryB = cgroupB.split(separator: "\n").first { $0.contains(":memory:") }
        #expect(memoryA != nil && memoryA != memoryB, "one cgroup for two roots: \(memoryA ?? "") / \(memoryB ?? "")")
        #expect(memoryA?.hasSuffix("/it-roots/web") == true)

        #expect(try first.run(["stop", "-f", a, "-t", "1"]).status == 0)
        #expect(try ps(first, "it-roots")["web"]?.status == "stopped")
        #expect(try ps(second, "it-roots")["web"]?.status == "running", "stop in one root stopped the other root's container")
        #expect(kill(pidB, 0) == 0)
        #expect(try first.run(["down", "-f", a, "-t", "1"]).status == 0)
        #expect(try ps(second, "it-roots")["web"]?.pid == pidB)
    }

    @Test func applyStartsWhatWasStoppedOrKilledAndRecreatesAMissingSnapshot() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(twoContainers("it-converge", names: ("a", "web")), project: "it-converge")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)

        #expect(try fixture.run(["stop", "-f", manifest, "a", "-t", "1"]).status == 0)
        let web = try #require(try ps(fixture, "it-converge")["web"]?.pid)
        kill(web, SIGKILL)
        for _ in 0..<100 where try ps(fixture, "it-converge")["web"]?.status != "exited" { usleep(20_000) }
        #expect(try ps(fixture, "it-converge")["web"]?.exitCode == 137)
        let plan = try fixture.run(["plan", "-f", manifest])
        #expect(plan.stdoutText.contains("~ a: not running (stopped), will start"), "\(plan.stdoutText)")
        #expect(plan.stdoutText.contains("~ web: not running (exited 137), will start"), "\(plan.stdoutText)")
        let applied = try fixture.run(["apply", "-f", manifest])
        #expect(applied.status == 0, "\(applied.stderrText)")
        #expect(applied.stderrText.contains("~ web: started"))
        let rows = try ps(fixture, "it-converge")
        #expect(rows["a"]?.status == "running" && rows["web"]?.status == "running")
        #expect(try fixture.run(["plan", "-f", manifest, "--detailed-exitcode"]).status == 0, "apply did not converge")

        // The writable snapshot deleted under a stopped container: recreated, not "does not exist".
        #expect(try fixture.run(["stop", "-f", manifest, "web", "-t", "1"]).status == 0)
        try FileManager.default.removeItem(atPath: fixture.root + "/snapshots/overlayfs/active/it-converge.web")
        let start = try fixture.run(["start", "-f", manifest, "web"])
        #expect(start.status == 1)
        #expect(start.stderrText.contains("`berth apply` recreates the container"), "\(start.stderrText)")
        let replan = try fixture.run(["plan", "-f", manifest])
        #expect(replan.stdoutText.contains("~ web: writable snapshot missing, will recreate"), "\(replan.stdoutText)")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        #expect(try ps(fixture, "it-converge")["web"]?.status == "running")
        #expect(try fixture.run(["plan", "-f", manifest, "--detailed-exitcode"]).status == 0)
    }

    @Test func aReplaceKilledHalfwayIsFinishedByTheNextApply() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-halfway
            containers:
              web:
                image: berth.local/busybox:demo
                args: \(Self.sleeper)
            """, project: "it-halfway")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        let crashed = try fixture.run(["apply", "-f", manifest, "--force-recreate"], environment: ["BERTH_CRASH_AT": "teardown-after-stop"])
        #expect(crashed.status == 86)
        #expect(try ps(fixture, "it-halfway")["web"]?.status == "stopped")
        let again = try fixture.run(["apply", "-f", manifest])
        #expect(again.status == 0, "\(again.stderrText)")
        #expect(try ps(fixture, "it-halfway")["web"]?.status == "running")
    }

    @Test func startUnpacksLayersThatWereRemoved() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-start-unpack
            containers:
              job:
                image: berth.local/busybox:demo
                args: ["sh", "-c", "echo ran >> /runs; cat /runs"]
            """, project: "it-start-unpack")
        #expect(try fixture.run(["apply", "-f", manifest, "--wait"]).status == 0)
        try FileManager.default.removeItem(atPath: fixture.root + "/snapshots/overlayfs/layers")
        let start = try fixture.run(["start", "-f", manifest, "job"])
        #expect(start.status == 0, "\(start.stderrText)")
        let wait = try fixture.run(["wait", "-f", manifest, "job"])
        #expect(wait.status == 0)
        let logs = try fixture.run(["logs", "--file", manifest, "job"]).stdoutText
        #expect(logs == "ran\nran\nran\n", "the writable layer was kept and the image unpacked again: \(logs)")
    }

    @Test func aKilledMonitorIsShownAndReplacedAndStopStillUnmounts() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-unsupervised
            containers:
              web:
                image: berth.local/busybox:demo
                args: \(Self.sleeper)
            """, project: "it-unsupervised")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        let monitor = try #require(try ps(fixture, "it-unsupervised")["web"]?.monitorPid)
        kill(monitor, SIGKILL)
        usleep(200_000)
        let row = try #require(try ps(fixture, "it-unsupervised")["web"])
        #expect(row.status == "running" && row.supervised == false)
        #expect(try fixture.run(["ps", "-p", "it-unsupervised"]).stdoutText.contains("running (unsupervised)"))
        let plan = try fixture.run(["plan", "-f", manifest])
        #expect(plan.stdoutText.contains("~ web: running without its monitor"), "\(plan.stdoutText)")

        #expect(try fixture.run(["stop", "-f", manifest, "-t", "1"]).status == 0)
        let mounts = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
        #expect(!mounts.contains(fixture.root + "/containers/it-unsupervised/web"), "stop left the rootfs mounted")
        #expect(try ps(fixture, "it-unsupervised")["web"]?.status == "stopped")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        let again = try #require(try ps(fixture, "it-unsupervised")["web"])
        #expect(again.status == "running" && again.supervised == true)
    }

    @Test func aLostOrDamagedStateDatabaseOrphansNothing() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(twoContainers("it-lost"), project: "it-lost")
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
        let database = fixture.root + "/state.db"

        // Deleted while the containers run: ps shows them from the runtime, apply replaces them.
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        let unrecorded = try ps(fixture, "it-lost")
        #expect(unrecorded["victim"]?.recorded == false && unrecorded["victim"]?.status == "running")
        let applied = try fixture.run(["apply", "-f", manifest])
        #expect(applied.status == 0, "\(applied.stderrText)")
        #expect(try ps(fixture, "it-lost").values.allSatisfy { $0.status == "running" && $0.recorded == nil })

        // Damaged: ps warns and shows the runtime's view, down removes everything, repair moves it aside.
        // A new file in its place (the monitors' open connections keep writing to the old one, as they
        // would after a disk fault replaced it).
        try Data("this is not sqlite".utf8).write(to: URL(fileURLWithPath: database + ".new"))
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        #expect(rename(database + ".new", database) == 0)
        let damaged = try fixture.run(["ps", "-p", "it-lost", "--format", "json"])
        #expect(damaged.status == 0)
        #expect(damaged.stderrText.contains("berth repair"))
        #expect(try JSONDecoder().decode([Row].self, from: damaged.stdout).count == 2)
        let failedApply = try fixture.run(["apply", "-f", manifest])
        #expect(failedApply.status == 1)
        #expect(failedApply.stderrText.contains("state.db") && failedApply.stderrText.contains("berth repair"), "\(failedApply.stderrText)")
        let down = try fixture.run(["down", "-f", manifest, "-t", "1"])
        #expect(down.status == 0, "\(down.stderrText)")
        let mounts = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
        #expect(!mounts.contains(fixture.root + "/"))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: fixture.root + "/snapshots/overlayfs/active")) ?? [] == [])
        #expect((try? FileManager.default.contentsOfDirectory(atPath: fixture.root + "/runtime")) ?? [] == [])

        let repair = try fixture.run(["repair"])
        #expect(repair.status == 0, "\(repair.stderrText)")
        #expect(repair.stdoutText.contains("moved to \(database).corrupt-"))
        let kept = try FileManager.default.contentsOfDirectory(atPath: fixture.root).filter { $0.hasPrefix("state.db.corrupt-") }
        #expect(kept.count == 1)
        #expect(try fixture.run(["apply", "-f", manifest]).status == 0)
    }

    @Test func stateRootFilesAreNotWorldReadableAndNonRootIsTurnedAway() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let manifest = try fixture.manifest(
            """
            version: 1
            name: it-modes
            containers:
              job:
                image: berth.local/busybox:demo
                args: ["true"]
                env: {SECRET: "value"}
            """, project: "it-modes")
        #expect(try fixture.run(["apply", "-f", manifest, "--wait"]).status == 0)
        func mode(_ path: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
        }
        #expect(try mode(fixture.root) == 0o700)
        #expect(try mode(fixture.root + "/state.db") & 0o077 == 0)
        #expect(try mode(fixture.root + "/containers/it-modes/job/bundle/config.json") & 0o077 == 0)
        #expect(try mode(fixture.root + "/containers/it-modes/job/container.log") & 0o077 == 0)

        let nobody = try ProcessRunner().run(
            "/usr/sbin/runuser", ["-u", "nobody", "--", fixture.berth, "ps", "--state-root", fixture.root + "-other"])
        #expect(nobody.status == 1)
        #expect(nobody.stderrText == "berth: error: berth must run as root (rootless mode is not supported yet)\n")
    }
}
