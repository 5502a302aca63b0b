// TEMPORARY contract stub, replaced by the images branch at merge.
import OCI
import Diagnostics

public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var tag: String?
    public var digest: Digest?
    public init(parsing s: String) throws { name = s }
    public var description: String { name }
}

public struct ResolvedImage: Hashable, Sendable {
    public var reference: String
    public var indexDescriptor: Descriptor
    public var manifestDescriptor: Descriptor
    public var manifest: ImageManifest
    public var config: ImageConfiguration
    public var digest: Digest { manifestDescriptor.digest }
    public var diffIDs: [Digest] { config.rootfs.diffIDs }
}

public struct ImageRecord: Hashable, Sendable {
    public var reference: String
    public var digest: Digest
    public var size: Int64
    public var platform: Platform?
}

public final class ImageStore: Sendable {
    public init(root: String) throws {}
    public func resolve(_ reference: String, platform: Platform = .host) throws -> ResolvedImage { fatalError() }
    public func lookup(_ reference: String, platform: Platform = .host) throws -> ResolvedImage? { nil }
    public func blobPath(_ digest: Digest) -> String { "" }
    public func importRootfs(directory: String, reference: String) throws -> ResolvedImage { fatalError() }
    public func list() throws -> [ImageRecord] { [] }
}
