import Foundation
import ImageStore
import Snapshots
import State

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
    /// what the previous run wrote, are kept; the log is appended to.
    public func start(_ record: ContainerRecord, images: ImageStore) throws {
        let observed = Liveness(root: root).observed(record)
        guard observed.status != .running else { return }
        if !record.snapshotKey.isEmpty, let kind = SnapshotterKind(rawValue: record.snapshotter),
           let reference = record.imageReference {
            let snapshots = try SnapshotStore(root: root.snapshots, snapshotter: kind)
            let image = try images.resolve(reference)
            try snapshots.mount(key: record.snapshotKey, image: image, rootfs: record.bundlePath + "/rootfs")
        }
        _ = try state.update(project: record.project, name: record.name) { r in
            r.status = .created
            r.pid = nil
            r.exitCode = nil
            r.failure = nil
            r.finishedAt = nil
        }
        try StartWaiter(state: state).launch(MonitorRequest(root: root, record: record), with: monitorLauncher)
    }
}
