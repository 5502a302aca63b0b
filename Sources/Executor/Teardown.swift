import Manifest
import OCI
import BerthSystem
import Foundation
import Runtime
import Snapshots
import SpecBuilder
import State
import Synchronization
import Supervision
#if canImport(Glibc)
import Glibc
#endif

/// Stops and removes containers: the runtime's container, the monitor, the rootfs mount, the writable
/// snapshot, the bundle and the record — in that order, each step tolerant of a previous partial run.
public struct Teardown: Sendable {
    public var root: StateRoot
    public var state: StateStore
    /// How long a container gets after its stop signal before SIGKILL; nil: its `stop-grace-period`, else
    /// `defaultGracePeriod`.
    public var gracePeriod: TimeInterval?
    public static let defaultGracePeriod: TimeInterval = 10

    public init(root: StateRoot, state: StateStore, gracePeriod: TimeInterval? = nil) {
        self.root = root
        self.state = state
        self.gracePeriod = gracePeriod
    }

    /// Stops the container's process (its stop signal, SIGTERM by default, then SIGKILL after the grace
    /// period) and records it as stopped, which also ends its restart policy (a monitor waiting to restart
    /// it sees the record and ends).
    public func stop(_ record: ContainerRecord) throws {
        let driver = RuntimeDriver(binary: record.runtimeBinary, root: root.runtimeRoot)
        if record.status == .restarting {
            _ = try state.update(project: record.project, name: record.name) { if $0.status == .restarting { $0.status = .stopped } }
        }
        if let pid = try runningProcess(record, driver: driver) {
            _ = try state.update(project: record.project, name: record.name) { $0.status = .stopped }
            let signal = record.stopSignal.flatMap { SignalName.parse($0) }.map { String($0.number) } ?? "TERM"
            let watch = EndWatch()
            watch.add(pid)
            try? driver.kill(id: record.runtimeID, signal: signal, all: true)
            let deadline = Date().addingTimeInterval(gracePeriod ?? record.stopGracePeriod ?? Self.defaultGracePeriod)
            if try !Self.waitUntilStopped(driver, id: record.runtimeID, watch: watch, deadline: deadline),
                let s = try driver.state(id: record.runtimeID), s.status != .stopped
            {
                try? driver.kill(id: record.runtimeID, signal: "KILL", all: true)
            }
        }
        waitForMonitor(record)
        try finishUnsupervised(record)
    }

    /// The pid of the container's process while it runs, nil when it does not. A running record whose monitor is
    /// alive answers without starting the runtime (a `runc state` is a Go process, about 10 ms of CPU, and a `down`
    /// of 20 made 20 of them before its first DEL): the monitor clears the pid as soon as the process has ended and
    /// been reaped, so until then it names that process, or, in the moment between, no process at all (the stop
    /// then finds nothing to wait for and asks the runtime, as `waitUntilStopped` does). Otherwise the runtime is asked.
    private func runningProcess(_ record: ContainerRecord, driver: RuntimeDriver) throws -> Int32? {
        if record.status == .running, let pid = record.pid, pid > 0, MonitorProcess.isMonitor(record.monitorPID) { return pid }
        guard let current = try driver.state(id: record.runtimeID), current.status != .stopped else { return nil }
        return current.pid
    }

    /// What the monitor does when its container ends, done here when no monitor is left to do it (it was
    /// killed): the ended container removed from the runtime, the rootfs unmounted, the end recorded.
    func finishUnsupervised(_ record: ContainerRecord) throws {
        guard !MonitorProcess.isMonitor(record.monitorPID) else { return }
        let driver = RuntimeDriver(binary: record.runtimeBinary, root: root.runtimeRoot)
        if let current = try driver.state(id: record.runtimeID) {
            guard current.status == .stopped else { return }
            try driver.delete(id: record.runtimeID, force: true)
        }
        if !record.snapshotKey.isEmpty, let kind = SnapshotterKind(rawValue: record.snapshotter) {
            let snapshots = try SnapshotStore(root: root.snapshots, snapshotter: kind)
            try snapshots.release(key: record.snapshotKey, rootfs: record.bundlePath + "/rootfs", removeData: false)
        }
        let finished = Timestamp.now()
        _ = try state.update(project: record.project, name: record.name) { r in
            guard r.status.isActive || r.status == .stopped else { return }
            if r.status != .stopped { r.status = .exited }
            r.pid = nil
            if r.finishedAt == nil { r.finishedAt = finished }
            if r.exitCode == nil, r.failure == nil { r.failure = "exit not recorded: the monitor ended before the container" }
        }
    }

    /// Removes a container the runtime knows by `runtimeID` but the state does not record (the state
    /// database was lost or replaced): killed, deleted from the runtime.
    public func removeUnrecorded(runtimeID: String, runtime: String) throws {
        let binary = try RuntimeBinary.locate(runtime)
        let driver = RuntimeDriver(binary: binary, root: root.runtimeRoot)
        guard let current = try driver.state(id: runtimeID) else { return }
        // Its monitor may still live: it would unmount the rootfs path once the container ends, so the
        // new container must not be mounted there before that monitor is gone.
        let monitor = MonitorProcess.monitor(ofContainer: current.pid)
        defer { if let monitor { MonitorProcess.waitForEnd(monitor, timeout: 10) } }
        if current.status != .stopped {
            let watch = EndWatch()
            watch.add(current.pid)
            try? driver.kill(id: runtimeID, signal: "KILL", all: true)
            _ = try Self.waitUntilStopped(
                driver, id: runtimeID, watch: watch, deadline: Date().addingTimeInterval(gracePeriod ?? Self.defaultGracePeriod))
        }
        try driver.delete(id: runtimeID, force: true)
    }

    /// Waits until the container's process has ended or `deadline` passes. Its end is seen through a pidfd
    /// (`watch`, holding the pid the runtime reported while it ran), so a stop costs no runtime call per
    /// tick; without one (the process was already gone, or pidfds are unavailable) the runtime is asked
    /// every 20 ms as before. The pidfd only says when to ask: the answer is the runtime's. True when the
    /// runtime said the container is stopped or gone before `deadline`.
    static func waitUntilStopped(_ driver: RuntimeDriver, id: String, watch: EndWatch, deadline: Date) throws -> Bool {
        while watch.hasLiveProcesses {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return false }
            watch.wait(milliseconds: Int32(min(left, 0.5) * 1000) + 1)
        }
        repeat {
            guard let s = try driver.state(id: id), s.status != .stopped else { return true }
            usleep(20_000)
        } while Date() < deadline
        return false
    }

    /// Stops the container and removes everything Berth made for it.
    public func remove(_ record: ContainerRecord) throws {
        try stop(record)
        CrashPoint.hit("teardown-after-stop")
        let driver = RuntimeDriver(binary: record.runtimeBinary, root: root.runtimeRoot)
        if try driver.state(id: record.runtimeID) != nil {
            try driver.delete(id: record.runtimeID, force: true)
        }
        if !record.snapshotKey.isEmpty, let kind = SnapshotterKind(rawValue: record.snapshotter) {
            let snapshots = try SnapshotStore(root: root.snapshots, snapshotter: kind)
            try snapshots.release(key: record.snapshotKey, rootfs: record.bundlePath + "/rootfs", removeData: true)
        }
        try ContainerNetworking(root: root, state: state).remove(project: record.project, name: record.name)
        try TreeRemoval.remove(try root.containerDirectory(project: record.project, name: record.name), inside: root.path)
        try state.remove(project: record.project, name: record.name)
    }

    /// `berth down` when the state database cannot be read: what the runtime, the mount table and the
    /// network files show for `project` is removed, the database is left for `berth repair`.
    public static func removeProject(
        _ project: String, withoutStateIn root: StateRoot, gracePeriod: TimeInterval, progress: (String) -> Void = { _ in }
    ) throws {
        for name in try RuntimeInventory(root: root).removeUnrecorded(project: project, gracePeriod: gracePeriod) {
            progress("- \(name): removed")
        }
        for name in try ContainerNetworking.releaseWithoutState(root: root, project: project) {
            progress("- network \(name): removed")
        }
    }

    /// `berth down`: removes every container of `project` (newest first, so dependents go before what they
    /// need), then what no record accounts for (runtime containers, mounts, snapshots of a lost database,
    /// network attachments of a crashed apply), then the project's networks no other project uses.
    /// `progress` is told of each removal, one line each.
    @discardableResult
    public func removeProject(_ project: String, progress: (String) -> Void = { _ in }) throws -> [ContainerRecord] {
        let records = try state.containers(project: project).sorted { ($0.createdAt, $0.name) > ($1.createdAt, $1.name) }
        // Stopped in waves, dependents before what they need (the reverse of the start order), the containers
        // of a wave at once. Each is removed as soon as it is stopped, beside the stops still going on: a
        // removal mostly waits on the CNI DEL chain (~200 ms), which needs nothing but the container stopped.
        let removals = WorkerThreads.Group(limit: 32)
        let removed = Mutex([String: (any Error)?]())
        var stopFailure: (any Error)?
        for wave in Self.stopWaves(records) {
            let failures = Mutex([any Error]())
            WorkerThreads.forEach(wave.count, limit: 16) { index in
                let record = wave[index]
                do {
                    try stop(record)
                } catch {
                    failures.withLock { $0.append(error) }
                    return
                }
                removals.start {
                    let outcome: (any Error)?
                    do {
                        try remove(record)
                        outcome = nil
                    } catch {
                        outcome = error
                    }
                    removed.withLock { $0[record.name] = outcome }
                }
            }
            if let first = failures.withLock({ $0.first }) {
                stopFailure = first
                break
            }
        }
        removals.wait()
        let outcomes = removed.withLock { $0 }
        for record in records where outcomes[record.name].map({ $0 == nil }) == true { progress("- \(record.name): removed") }
        if let stopFailure { throw stopFailure }
        if let first = records.first(where: { outcomes[$0.name].map { $0 != nil } == true }), let error = outcomes[first.name] ?? nil {
            throw error
        }
        let leftovers = try RuntimeInventory(root: root).removeUnrecorded(project: project, gracePeriod: gracePeriod ?? Self.defaultGracePeriod)
        for name in leftovers { progress("- \(name): removed (it had no record)") }
        let networking = try ContainerNetworking(root: root, state: state)
        try networking.releaseStale(project: project)
        let before = Set(try state.networks(project: project).map(\.fullName))
        let kept = try networking.removeUnusedNetworks(project: project)
        let after = Set(try state.networks(project: project).map(\.fullName))
        for name in before.subtracting(after).sorted() { progress("- network \(name): removed") }
        for name in kept { progress("  network \(name): kept, another project's containers are on it") }
        // The project's cgroup, left by the runtime (it removes only each container's own); one per state root
        // stays, as containerd keeps one per namespace: removing it could race another project's start.
        if Names.isValid(project, .project) {
            Cgroup.removeEmpty(SpecBuilder.projectCgroupPath(stateRootID: root.identity, project: project))
        }
        return records
    }

    /// `records` in stop waves: a container is stopped in a wave before every container it depends on
    /// (`depends-on` or a `with-ns` container join, read from the definition each record keeps). A record
    /// whose definition cannot be read depends on nothing.
    static func stopWaves(_ records: [ContainerRecord]) -> [[ContainerRecord]] {
        let names = Set(records.map(\.name))
        var needs: [String: Set<String>] = [:]
        for record in records {
            needs[record.name] = Set(record.configJSON.map(ContainerDefinition.dependencies(ofCanonicalJSON:)) ?? []).intersection(names)
        }
        // A container's wave: after every container that depends on it.
        var waves: [[ContainerRecord]] = []
        var done: Set<String> = []
        var left = records
        while !left.isEmpty {
            let ready = left.filter { candidate in
                !left.contains { other in other.name != candidate.name && needs[other.name, default: []].contains(candidate.name) }
            }
            // A cycle (not possible from a validated manifest) is broken by stopping what is left at once.
            let wave = ready.isEmpty ? left : ready
            waves.append(wave)
            done.formUnion(wave.map(\.name))
            left.removeAll { done.contains($0.name) }
        }
        return waves
    }

    /// Gives the monitor time to record the exit and release the rootfs.
    private func waitForMonitor(_ record: ContainerRecord) {
        guard let pid = record.monitorPID else { return }
        MonitorProcess.waitForEnd(pid, timeout: 5)
    }
}
