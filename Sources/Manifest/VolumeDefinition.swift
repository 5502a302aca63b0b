/// A top-level `volumes:` entry: a directory under the state root (`volumes/<project>_<name>/_data`) that
/// outlives the containers mounting it, or another project's volume (`external`).
public struct VolumeDefinition: Hashable, Sendable, Codable {
    /// The name containers' `type: volume` mounts use.
    public var name: String
    /// The full name of the volume another project made (`external: true`: `name` itself); nil for the
    /// project's own.
    public var external: String?
    public var labels: [String: String]
    /// The local driver's bind form (`type: none, o: bind, device: PATH`): the volume's data is this absolute
    /// host directory instead of one under the state root.
    public var device: String?

    public init(name: String, external: String? = nil, labels: [String: String] = [:], device: String? = nil) {
        self.name = name
        self.external = external
        self.labels = labels
        self.device = device
    }

    /// `<project>_<name>` for the project's own volumes, the external name otherwise: the name under the
    /// state root, in `berth volume ls` and in other projects' `external:`.
    public func fullName(project: String) -> String {
        external ?? "\(project)_\(name)"
    }
}
