import Foundation
import Executor
import ImageStore
import Manifest
import Planner
import State

/// The stores of one state root, opened for a command.
struct Context {
    let root: StateRoot
    let images: ImageStore
    let snapshots: SnapshotStores
    let state: StateStore

    init(_ options: GlobalOptions) throws {
        root = options.root
        try root.create()
        images = try ImageStore(root: root.store)
        snapshots = SnapshotStores(root: root.snapshots)
        state = try StateStore(path: root.database)
    }

    var planner: Planner { Planner(images: images, snapshots: snapshots, state: state, observer: Liveness(root: root)) }
    var executor: Executor { Executor(root: root, images: images, snapshots: snapshots, state: state) }

    /// Planner and executor that may pull images from registries.
    func planner(registry: RegistryFlags) -> Planner {
        Planner(images: images, snapshots: snapshots, state: state, registry: registry.client(root: root),
                observer: Liveness(root: root))
    }

    func executor(registry: RegistryFlags, monitorLauncher: any MonitorLauncher = SelfExecMonitorLauncher()) -> Executor {
        Executor(root: root, images: images, snapshots: snapshots, state: state, registry: registry.client(root: root),
                 monitorLauncher: monitorLauncher)
    }

    /// The project a command acts on: `-p`, else the manifest's name.
    func project(_ manifestOptions: ManifestOptions) throws -> String {
        if let name = manifestOptions.projectName { return name }
        return try ManifestLoader.load(path: manifestOptions.file).name
    }
}
