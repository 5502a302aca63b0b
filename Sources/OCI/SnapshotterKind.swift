/// How an image's layers are laid out on disk to make a container's root filesystem: containerd's snapshotter
/// names, which also appear in its checkpoint images (`io.containerd.checkpoint.snapshotter`). The set Berth
/// implements is closed, so one enum serves the manifest, the plan and the snapshot stores.
public enum SnapshotterKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// One directory per layer, stacked with an overlay mount; whiteouts stored as overlay markers.
    case overlayfs
    /// Each snapshot is a full copy of its parent with the layer applied.
    case native
}
