import Foundation
import ImageStore
import Planner
import Runtime
import Snapshots
import State
import Supervision

/// Starting a stopped or exited container again, from its existing bundle and writable snapshot.
public struct Lifecycle: Sendable {
    public var root: StateRoot
    public var state: StateStore
    public var monitorLauncher: any MonitorLauncher

    public init(root: StateRoot, state: StateStore, monitorLauncher: any MonitorLauncher = SelfExecMonitorLauncher()) {
        self.root = root
        self.state = state
        self.monitorLauncher = monitorLauncher
    }

    /// Mounts the container's writable snapshot again and hands it to a new monitor. Its files, including
    /// what the previous run wrote, are kept; the log is appended to. Layers of its image that are no
    /// longer unpacked are unpacked first (as `apply` does); returns how many.
    @discardableResult
    public func start(_ record: ContainerRecord, images: ImageStore, snapshots: SnapshotStores) throws -> Int {
        let observed = Liveness(root: root, state: state).observe(record)
        if observed.record.status == .running {
            guard observed.supervised else {
                throw ExecutorError(
                    "unsupervised",
                    "container \(record.name) runs without its monitor; `berth apply` replaces it, `berth stop` stops it")
            }
            return 0
        }
        let driver = RuntimeDriver(binary: record.runtimeBinary, root: root.runtimeRoot)
        // A monitor that died before the runtime removed the ended container leaves its id behind.
        if (try? driver.state(id: record.runtimeID)) != nil {
            try driver.delete(id: record.runtimeID, force: true)
        }
        var unpacked = 0
        if !record.snapshotKey.isEmpty, let reference = record.imageReference {
            let store = try snapshots.store(named: record.snapshotter)
            switch store.condition(key: record.snapshotKey) {
            case .present: break
            case .missing:
                throw ExecutorError(
                    "snapshot-missing",
                    "the writable snapshot of \(record.name) is missing; `berth apply` recreates the container")
            case .damaged(let why):
                throw ExecutorError(
                    "snapshot-damaged",
                    "the writable snapshot of \(record.name) is damaged (\(why)); `berth apply` recreates the container")
            }
            let image = try images.resolve(reference)
            if let digest = record.imageDigest, image.digest.description != digest {
                throw ExecutorError(
                    "image-moved",
                    "image \(reference) of \(record.name) is now \(image.digest), the container was made from \(digest); `berth apply` replaces it")
            }
            unpacked = try store.unpack(image, from: images, progress: .standardErrorIfTerminal()).count
            let rootfs = record.bundlePath + "/rootfs"
            try store.release(key: record.snapshotKey, rootfs: rootfs, removeData: false)
            try store.mount(key: record.snapshotKey, image: image, rootfs: rootfs)
        }
        try ContainerNetworking(root: root, state: state).reattach(project: record.project, name: record.name)
        _ = try state.update(project: record.project, name: record.name) { r in
            r.status = .created
            r.pid = nil
            r.exitCode = nil
            r.failure = nil
            r.finishedAt = nil
            r.restartCount = 0
        }
        try StartWaiter(state: state).launch(MonitorRequest(root: root, record: record), with: monitorLauncher)
        return unpacked
    }
}
