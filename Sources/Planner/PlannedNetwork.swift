import BerthSystem
import Manifest

/// A network the plan needs: made by this apply (`create`), already there (`unchanged`), or another
/// project's (`external`). Subnets are chosen here, so the plan says exactly which range a network takes.
public struct PlannedNetwork: Codable, Hashable, Sendable {
    public enum Action: String, Codable, Hashable, Sendable {
        case create
        case unchanged
        case external
    }

    /// The manifest's name (`default`, `front`).
    public var name: String
    /// The project that owns it: this one, or another for an external network.
    public var owner: String
    public var action: Action
    public var subnet: IPv4Subnet
    public var gateway: IPv4Address
    public var isInternal: Bool

    public init(name: String, owner: String, action: Action, subnet: IPv4Subnet, gateway: IPv4Address, isInternal: Bool) {
        self.name = name
        self.owner = owner
        self.action = action
        self.subnet = subnet
        self.gateway = gateway
        self.isInternal = isInternal
    }

    /// `<owner>_<name>`, as compose names networks.
    public var fullName: String { "\(owner)_\(name)" }

    enum CodingKeys: String, CodingKey {
        case name, owner, action, subnet, gateway, isInternal = "internal"
    }
}
