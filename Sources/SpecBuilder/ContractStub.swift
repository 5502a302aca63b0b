// TEMPORARY contract stub, replaced by the spec branch at merge.
import Foundation
import OCI
import Manifest

public struct SpecInput: Sendable {
    public var project: String
    public var container: ContainerDefinition
    public var imageConfig: ImageConfiguration?
    public var rootfsPath: String
    public var peerPIDs: [String: Int32]
    public var hostHostname: String
    public init(project: String, container: ContainerDefinition, imageConfig: ImageConfiguration?, rootfsPath: String,
                peerPIDs: [String: Int32] = [:], hostHostname: String = "") {
        self.project = project; self.container = container; self.imageConfig = imageConfig
        self.rootfsPath = rootfsPath; self.peerPIDs = peerPIDs; self.hostHostname = hostHostname
    }
}
public enum SpecBuilder {
    public static func build(_ input: SpecInput) throws -> RuntimeSpec { RuntimeSpec() }
    public static func encode(_ spec: RuntimeSpec) throws -> Data { try CanonicalJSON.encodePretty(spec) }
}
