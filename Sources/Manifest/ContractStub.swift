// TEMPORARY contract stub, replaced by the manifest branch at merge.
import Foundation
import Diagnostics

public enum ManifestLoader {
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ProjectManifest { fatalError() }
}
public struct HostValidator {
    public static func check(_ manifest: ProjectManifest) -> [Diagnostic] { [] }
}
public enum ManifestRenderer {
    public enum Format: Sendable { case yaml, json }
    public static func render(_ m: ProjectManifest, format: Format) throws -> String { "" }
    public static func canonicalJSON(of container: ContainerDefinition) throws -> Data { Data() }
}
extension ContainerDefinition {
    public func resolvedEnvironment() throws -> [String] { env }
}
