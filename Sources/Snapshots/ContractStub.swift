// TEMPORARY contract stub, replaced by the images branch at merge.
import OCI
import ImageStore

public enum SnapshotterKind: String, Sendable { case overlayfs, native }
public struct LayerUnpack: Hashable, Sendable {
    public var index: Int
    public var descriptor: Descriptor
    public var diffID: Digest
    public var chainID: Digest
    public var parent: Digest?
}
public enum ChainID {
    public static func of(_ diffIDs: [Digest]) -> Digest? { nil }
}
public final class SnapshotStore: Sendable {
    public init(root: String, snapshotter: SnapshotterKind) throws {}
    public func pendingLayers(for image: ResolvedImage) throws -> [LayerUnpack] { [] }
    public func unpack(_ image: ResolvedImage, from store: ImageStore) throws -> [LayerUnpack] { [] }
    public func prepare(key: String, image: ResolvedImage, rootfs target: String) throws {}
    public func release(key: String, rootfs target: String, removeData: Bool) throws {}
    public func isPrepared(key: String) -> Bool { false }
}
extension SnapshotStore {
    public func readOnlyView(of image: ResolvedImage) throws -> String? { nil }
}
