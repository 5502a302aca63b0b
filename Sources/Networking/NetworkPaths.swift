import BerthSystem
import Foundation

/// Where the Network module keeps its files, all inside one directory the caller gives (the state root's
/// `network/`); every path is built from validated names and checked with `PathGuard` against `root`
/// before it is created or removed.
///
/// ```
/// <root>/conflists/<network>.conflist             generated network configuration lists
/// <root>/ipam/<network>/                          host-local's leases (its dataDir)
/// <root>/attachments/<container id>/<network>.json  cached ADD results, per container and network
/// <root>/netns/<container id>                     bind-mounted network namespace files
/// <root>/stand-ins/<container id>@<network>         short-lived namespaces for a DEL whose netns is gone
/// ```
public struct NetworkPaths: Sendable, Equatable {
    public let root: String

    /// `root` must be absolute; it is created (mode 0700) when first needed.
    public init(root: String) throws(NetworkError) {
        guard root.hasPrefix("/"), !root.utf8.contains(0) else {
            throw .invalidValue("network directory", root, "it must be an absolute path")
        }
        self.root = PathGuard.clean(root)
    }

    public var conflistDirectory: String { root + "/conflists" }
    public var ipamDirectory: String { root + "/ipam" }
    public var attachmentDirectory: String { root + "/attachments" }
    public var netnsDirectory: String { root + "/netns" }
    public var standInDirectory: String { root + "/stand-ins" }

    public func conflist(_ network: String) throws -> String {
        try checked(conflistDirectory + "/" + Names.validate(network, .network, source: "network name") + ".conflist")
    }

    public func netns(_ container: ContainerKey) throws -> String {
        try checked(netnsDirectory + "/" + container.id)
    }

    func standIn(_ container: ContainerKey, network: String) throws -> String {
        try checked(standInDirectory + "/" + container.id + "@" + Names.validate(network, .network, source: "network name"))
    }

    func attachments(_ container: ContainerKey) throws -> String {
        try checked(attachmentDirectory + "/" + container.id)
    }

    func attachment(_ container: ContainerKey, network: String) throws -> String {
        try checked(attachments(container) + "/" + Names.validate(network, .network, source: "network name") + ".json")
    }

    func ipam(_ network: String) throws -> String {
        try checked(ipamDirectory + "/" + Names.validate(network, .network, source: "network name"))
    }

    /// `path` when PathGuard finds it inside `root`.
    @discardableResult
    func checked(_ path: String, operation: String = "write") throws -> String {
        try PathGuard.check(path, inside: root, operation: operation)
    }

    /// Creates `directory` (and `root`) with mode 0700 when missing, after checking it.
    func makeDirectory(_ directory: String) throws {
        if directory != root { try checked(directory, operation: "create") }
        var missing: [String] = []
        var current = directory
        while access(current, F_OK) != 0 && current != "/" {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for path in missing.reversed() where mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw NetworkError.posix("cannot create \(path)", errno: errno)
        }
    }
}

/// A container as the Network module names it: project and container name, both validated by `Names`;
/// `id` (`<project>.<name>`, the runtime id) is the CNI container id and its file names.
public struct ContainerKey: Sendable, Hashable, Codable, CustomStringConvertible {
    public let project: String
    public let name: String

    public init(project: String, name: String) throws {
        self.project = try Names.validate(project, .project, source: "project name")
        self.name = try Names.validate(name, .container, source: "container name")
    }

    /// The key whose `id` is `id`, when both halves are valid names (a project has no dot, so the first dot splits).
    public init?(id: String) {
        guard let dot = id.firstIndex(of: "."),
            let key = try? ContainerKey(project: String(id[..<dot]), name: String(id[id.index(after: dot)...]))
        else { return nil }
        self = key
    }

    private enum CodingKeys: String, CodingKey { case project, name }

    /// Decoding validates both names as `init` does.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(project: container.decode(String.self, forKey: .project), name: container.decode(String.self, forKey: .name))
    }

    public var id: String { "\(project).\(name)" }
    public var description: String { id }
}
