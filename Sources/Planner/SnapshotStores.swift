import Foundation
import Snapshots
import Synchronization

/// One snapshot store per snapshotter, opened on first use.
public final class SnapshotStores: Sendable {
    private let root: String
    private let stores = Mutex<[SnapshotterKind: SnapshotStore]>([:])

    public init(root: String) {
        self.root = root
    }

    /// The store for a manifest `snapshotter:` value (validated by the manifest loader).
    public func store(for name: String) throws -> SnapshotStore {
        guard let kind = SnapshotterKind(rawValue: name) else {
            throw PlanError(code: "unknown-snapshotter", [.error(at: nil, "unknown snapshotter \"\(name)\"; use overlayfs or native")])
        }
        return try stores.withLock { stores in
            if let store = stores[kind] { return store }
            let store = try SnapshotStore(root: root, snapshotter: kind)
            stores[kind] = store
            return store
        }
    }
}
