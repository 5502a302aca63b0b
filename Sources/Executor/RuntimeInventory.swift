import OCI
import BerthSystem
import Foundation
import Runtime
import Snapshots
import State
import Supervision

/// What exists under a state root whatever the state database says: the runtime's containers (runc's
/// own state under `<root>/runtime`), the mounts under `<root>/containers` and the writable snapshots.
/// `ps` and `down` use it to show and remove containers whose records were lost (a deleted or corrupt
/// `state.db`), so that nothing Berth started is ever orphaned.
public struct RuntimeInventory: Sendable {
    public var root: StateRoot
    /// The runtime to ask (containers of every runtime share the runtime root; runc reads crun's too).
    public var runtimeBinary: String?

    public init(root: StateRoot, runtimeBinary: String? = nil) {
        self.root = root
        self.runtimeBinary = runtimeBinary
    }

    /// A container the runtime knows under this root.
    public struct Entry: Sendable, Hashable {
        public var runtimeID: String
        /// Parsed from the id (`<project>.<container>`; project names hold no dot).
        public var project: String
        public var name: String
        public var status: String
        public var pid: Int32?
    }

    func driver() throws -> RuntimeDriver {
        RuntimeDriver(binary: try runtimeBinary ?? RuntimeBinary.locate("runc"), root: root.runtimeRoot)
    }

    /// The runtime's containers whose ids are Berth's (valid project and container names); empty when the
    /// runtime root does not exist yet.
    public func containers() throws -> [Entry] {
        var st = stat()
        guard stat(root.runtimeRoot, &st) == 0 else { return [] }
        return try driver().list().compactMap { state in
            guard let dot = state.id.firstIndex(of: ".") else { return nil }
            let project = String(state.id[..<dot]), name = String(state.id[state.id.index(after: dot)...])
            guard Names.isValid(project, .project), Names.isValid(name, .container) else { return nil }
            return Entry(
                runtimeID: state.id, project: project, name: name, status: state.status.rawValue,
                pid: state.status == .stopped || state.pid == 0 ? nil : state.pid)
        }.sorted { ($0.project, $0.name) < ($1.project, $1.name) }
    }

    /// The runtime's containers (as `containers()`) whose ids are not in `known`; the runtime is not started
    /// when its state directory shows no other id (`ps` of recorded containers costs no runtime process).
    public func containers(notIn known: Set<String>) throws -> [Entry] {
        if let ids = RuntimeDriver.containerIDs(inStateDirectory: root.runtimeRoot), ids.isSubset(of: known) { return [] }
        return try containers().filter { !known.contains($0.runtimeID) }
    }

    /// Removes everything of `project` that no record accounts for: runtime containers (killed, deleted)
    /// except `keeping`, then, when `includeFiles`, the mounts and files of containers outside `keeping`:
    /// rootfs mounts, writable snapshots and container directories. Returns the names removed.
    @discardableResult
    public func removeUnrecorded(
        project: String, keeping: Set<String> = [], includeFiles: Bool = true,
        gracePeriod: TimeInterval = 10
    ) throws -> [String] {
        try Names.validate(project, .project, source: "project")
        var removed: Set<String> = []
        let driver = try driver()
        var monitors: [Int32] = []
        // The runtime's state directory shows whether it holds any container of the project; `list` only then.
        let ids = RuntimeDriver.containerIDs(inStateDirectory: root.runtimeRoot)
        let candidates = ids.map { $0.contains { $0.hasPrefix(project + ".") } } ?? true ? try containers() : []
        for entry in candidates where entry.project == project && !keeping.contains(entry.name) {
            if let monitor = MonitorProcess.monitor(ofContainer: entry.pid) { monitors.append(monitor) }
            if entry.status != "stopped" {
                try? driver.kill(id: entry.runtimeID, signal: "TERM", all: true)
                let deadline = Date().addingTimeInterval(gracePeriod)
                while Date() < deadline, let s = try driver.state(id: entry.runtimeID), s.status != .stopped { usleep(20_000) }
                if let s = try driver.state(id: entry.runtimeID), s.status != .stopped {
                    try? driver.kill(id: entry.runtimeID, signal: "KILL", all: true)
                    let deadline = Date().addingTimeInterval(5)
                    while Date() < deadline, let s = try driver.state(id: entry.runtimeID), s.status != .stopped { usleep(20_000) }
                }
            }
            try driver.delete(id: entry.runtimeID, force: true)
            removed.insert(entry.name)
        }
        // Their monitors unmount the rootfs paths when they see the end: let them finish first.
        for monitor in monitors { MonitorProcess.waitForEnd(monitor, timeout: 10) }
        guard includeFiles else { return removed.sorted() }
        let projectDirectory = try root.projectDirectory(project: project)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: projectDirectory)) ?? []
        for name in names where Names.isValid(name, .container) && !keeping.contains(name) {
            try TreeRemoval.remove(try root.containerDirectory(project: project, name: name), inside: root.path)
            removed.insert(name)
        }
        for kind in SnapshotterKind.allCases {
            guard let store = try? SnapshotStore(root: root.snapshots, snapshotter: kind) else { continue }
            for key in store.activeKeys() where key.hasPrefix(project + ".") {
                let name = String(key.dropFirst(project.count + 1))
                guard Names.isValid(name, .container), !keeping.contains(name) else { continue }
                try store.release(key: key, rootfs: try root.bundle(project: project, name: name) + "/rootfs", removeData: true)
                removed.insert(name)
            }
        }
        if keeping.isEmpty { _ = rmdir(try root.guarded(projectDirectory, "remove")) }
        return removed.sorted()
    }
}
