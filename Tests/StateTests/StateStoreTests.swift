import BerthSystem
import Foundation
import Synchronization
import Testing
@testable import State

private func scratch() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-state-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private func record(_ name: String, project: String = "p") -> ContainerRecord {
    ContainerRecord(
        project: project, name: name, runtimeID: "\(project).\(name)", configHash: "sha256:1",
        snapshotter: "overlayfs", snapshotKey: "\(project)/\(name)", bundlePath: "/b/\(name)",
        runtimeBinary: "/usr/sbin/runc", status: .created, createdAt: "2026-01-01T00:00:00Z")
}

@Suite struct StateStoreTests {
    /// Processes that open a new database together (apply and its warm monitor) all get it at the current
    /// schema: one creates the tables, the others find them.
    @Test func openingANewDatabaseTogetherSucceedsEverywhere() throws {
        for _ in 0..<5 {
            let dir = try scratch()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let opened = Mutex(0)
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 6) { _ in
                do {
                    let store = try StateStore(path: dir + "/state.db")
                    _ = try store.revision()
                    opened.withLock { $0 += 1 }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            #expect(opened.withLock { $0 } == 6)
        }
    }

    @Test func saveUpdateRemoveMoveTheRevision() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state = try StateStore(path: dir + "/state.db")
        #expect(try state.revision() == 0)
        try state.save(record("web"), manifestPath: "/m/berth.yaml")
        #expect(try state.revision() == 1)
        let updated = try state.update(project: "p", name: "web") {
            $0.status = .running; $0.pid = 42
        }
        #expect(updated?.status == .running)
        #expect(try state.revision() == 2)
        #expect(try state.container(project: "p", name: "web")?.pid == 42)
        try state.remove(project: "p", name: "web")
        #expect(try state.container(project: "p", name: "web") == nil)
        #expect(try state.revision() == 3)
    }

    /// The record's row coding is written by hand: a record with every field set comes back whole, and the
    /// table has exactly the record's fields as columns (a new field without its column line would fail here).
    @Test func everyFieldOfARecordIsStoredAndReadBack() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state = try StateStore(path: dir + "/state.db")
        var full = record("full")
        full.configJSON = "{\"image\":\"x\"}"
        full.specDigest = "sha256:2"
        full.imageReference = "berth.local/x:1"
        full.imageDigest = "sha256:3"
        full.noPivot = true
        full.status = .restarting
        full.pid = 4242
        full.monitorPID = 4241
        full.exitCode = 137
        full.failure = "it failed"
        full.startedAt = "2026-01-01T00:00:01Z"
        full.finishedAt = "2026-01-01T00:00:02Z"
        full.restartPolicy = "on-failure:3"
        full.restartOnUnhealthy = true
        full.healthcheck = "{\"test\":[\"CMD\",\"true\"]}"
        full.stopSignal = "SIGINT"
        full.stopGracePeriod = 2.5
        full.restartCount = 7
        full.health = "unhealthy"
        full.healthLog = "[]"
        full.volumes = "[\"p_data\"]"
        // Every optional is set, so a field missing from the coding cannot come back equal by being nil.
        let unset = Mirror(reflecting: full).children.filter { child in
            Mirror(reflecting: child.value).displayStyle == .optional && Mirror(reflecting: child.value).children.isEmpty
        }
        #expect(unset.map(\.label) == [], "set these in the test too")
        try state.save(full, manifestPath: "/m/berth.yaml")
        #expect(try state.container(project: "p", name: "full") == full)
        let changed = try state.update(project: "p", name: "full") { $0.restartCount += 1 }
        full.restartCount += 1
        #expect(changed == full)
        #expect(try state.container(project: "p", name: "full") == full)

        let fields = Set(Mirror(reflecting: full).children.compactMap(\.label))
        let columns = try state.read { db in try db.columns(in: "container").map(\.name) }
        #expect(Set(columns) == fields)
    }

    @Test func updateOfAMissingContainerReturnsNil() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state = try StateStore(path: dir + "/state.db")
        #expect(try state.update(project: "p", name: "nope") { $0.status = .running } == nil)
    }

    @Test func containersAreListedPerProjectSortedByName() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state = try StateStore(path: dir + "/state.db")
        for (name, project) in [("b", "p"), ("a", "p"), ("a", "q")] {
            try state.save(record(name, project: project), manifestPath: "/m")
        }
        #expect(try state.containers(project: "p").map(\.name) == ["a", "b"])
        #expect(try state.allContainers().map { "\($0.project)/\($0.name)" } == ["p/a", "p/b", "q/a"])
    }

    @Test func stateSurvivesReopening() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let state = try StateStore(path: dir + "/state.db")
            try state.save(record("web"), manifestPath: "/m")
        }
        let reopened = try StateStore(path: dir + "/state.db")
        #expect(try reopened.container(project: "p", name: "web")?.runtimeID == "p.web")
    }

    @Test func unopenableDatabaseIsAClearError() {
        #expect {
            _ = try StateStore(path: "/proc/no-such-dir/state.db")
        } throws: { error in
            (error as? StateError)?.code == "state-open-failed"
        }
    }
}

@Suite struct ProjectLockTests {
    @Test func secondLockOfOneProjectWaitsForTheFirst() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try ProjectLock(root: StateRoot(path: dir), project: "p")
        let acquired = LockFlag()
        let thread = Thread {
            let second = try? ProjectLock(root: StateRoot(path: dir), project: "p")
            acquired.set()
            second?.unlock()
        }
        thread.start()
        usleep(200_000)
        #expect(!acquired.isSet, "a second lock of the same project must wait")
        first.unlock()
        for _ in 0..<100 where !acquired.isSet { usleep(20_000) }
        #expect(acquired.isSet)
    }

    @Test func differentProjectsDoNotWait() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try ProjectLock(root: StateRoot(path: dir), project: "a")
        defer { a.unlock() }
        let acquired = LockFlag()
        let thread = Thread {
            let b = try? ProjectLock(root: StateRoot(path: dir), project: "b")
            if b != nil { acquired.set() }
            b?.unlock()
        }
        thread.start()
        for _ in 0..<100 where !acquired.isSet { usleep(20_000) }
        #expect(acquired.isSet, "project b's lock must be taken while project a's is held")
    }
}

private final class LockFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

@Suite struct StateRootTests {
    @Test func optionBeatsEnvironmentBeatsDefault() {
        #expect(StateRoot.resolve(option: "/x", environment: ["BERTH_ROOT": "/y"]).path == "/x")
        #expect(StateRoot.resolve(option: nil, environment: ["BERTH_ROOT": "/y"]).path == "/y")
        #expect(StateRoot.resolve(option: nil, environment: [:]).path == "/var/lib/berth")
        #expect(StateRoot.resolve(option: nil, environment: ["BERTH_ROOT": ""]).path == "/var/lib/berth")
        // Cleaned lexically: repeated slashes, `.` and `..`, a trailing slash; a relative path from the current directory.
        #expect(StateRoot.resolve(option: "/tmp//a/./b/../c/", environment: [:]).path == "/tmp/a/c")
        #expect(StateRoot.resolve(option: "/../x/..", environment: [:]).path == "/")
        #expect(StateRoot.resolve(option: "r/./s", environment: [:]).path == PathGuard.clean(FileManager.default.currentDirectoryPath + "/r/s"))
    }

    @Test func layoutIsUnderTheRoot() throws {
        let root = StateRoot(path: "/r/")
        #expect(root.store == "/r/store")
        #expect(try root.bundle(project: "p", name: "c") == "/r/containers/p/c/bundle")
    }

    @Test(arguments: [
        ("..", "store"), ("../../decoy", "victim"), ("p", ".."), ("p", "../x"), ("", "c"), ("p", ""),
        ("UPPER", "c"), ("a.b", "c"), ("p/q", "c"), ("p", "c\0"),
    ])
    func containerPathsAreRefusedForNamesOutsideTheRules(_ project: String, _ name: String) {
        let root = StateRoot(path: "/r")
        #expect(throws: (any Error).self) { try root.containerDirectory(project: project, name: name) }
    }

    @Test func theIdentityDiffersBetweenRootsAndIsStable() {
        let a = StateRoot(path: "/tmp/berth-root-a"), b = StateRoot(path: "/tmp/berth-root-b")
        #expect(a.identity != b.identity)
        #expect(a.identity == StateRoot(path: "/tmp/berth-root-a/").identity)
        #expect(a.identity.count == 12)
    }
}
