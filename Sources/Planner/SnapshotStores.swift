import Foundation
import OCI
import Snapshots
import Synchronization

/// One snapshot store per snapshotter, opened on first use.
public final class SnapshotStores: Sendable {
    private let root: String
    private let stores = Mutex<[SnapshotterKind: SnapshotStore]>([:])

    public init(root: String) {
        self.root = root
    }

    /// The store for `kind`.
    public func store(for kind: SnapshotterKind) throws -> SnapshotStore {
        try stores.withLock { stores in
            if let store = stores[kind] { return store }
            let store = try SnapshotStore(root: root, snapshotter: kind)
            stores[kind] = store
            return store
        }
    }
}

extension SnapshotStores {
    /// The store for a snapshotter named in a container record or by the user (`image unpack --snapshotter`).
    public func store(named name: String) throws -> SnapshotStore {
        guard let kind = SnapshotterKind(rawValue: name) else {
            throw PlanError(code: "unknown-snapshotter", [.error(at: nil, "unknown snapshotter \"\(name)\"; use overlayfs or native")])
        }
        return try store(for: kind)
    }
}
