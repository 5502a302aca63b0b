import Foundation
import Manifest
import OCI

#if canImport(Glibc)
import Glibc
#endif

/// Everything the spec builder needs for one planned container; the builder reads nothing else
/// except the env-files, the base `config` file and the rootfs's /etc/passwd and /etc/group.
public struct SpecInput: Sendable {
    /// The project name; part of the cgroups path.
    public var project: String
    /// The validated manifest entry.
    public var container: ContainerDefinition
    /// The resolved image configuration; nil for `rootfs:` containers (no image).
    public var imageConfig: ImageConfiguration?
    /// Host path of the prepared rootfs; /etc/passwd and /etc/group are read inside it.
    public var rootfsPath: String
    /// PIDs of the project's running containers by name, for `with-ns` container targets.
    public var peerPIDs: [String: Int32]
    /// The host's name, for the `HOSTNAME` variable `net-host` sets.
    public var hostHostname: String

    public init(project: String, container: ContainerDefinition, imageConfig: ImageConfiguration? = nil,
                rootfsPath: String, peerPIDs: [String: Int32] = [:],
                hostHostname: String = SpecInput.currentHostname()) {
        self.project = project
        self.container = container
        self.imageConfig = imageConfig
        self.rootfsPath = rootfsPath
        self.peerPIDs = peerPIDs
        self.hostHostname = hostHostname
    }

    /// The kernel's host name (what Go's `os.Hostname` returns), or "" if it cannot be read.
    public static func currentHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
