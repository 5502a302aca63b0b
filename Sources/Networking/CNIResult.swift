import OCI
/// The result of a CNI ADD (CNI spec 1.0, "Success"): the interfaces made, the addresses given to them,
/// routes and DNS. Fields Berth does not model are kept in `raw`, which is what it caches and passes on as
/// `prevResult`.
public struct CNIResult: Sendable, Equatable {
    public var cniVersion: String
    public var interfaces: [Interface]
    public var ips: [IPConfig]
    public var routes: [Route]
    public var dns: DNS?
    /// The result exactly as the plugin printed it.
    public var raw: JSONValue

    /// One interface a plugin created or configured; `sandbox` is the netns path for interfaces inside it.
    public struct Interface: Sendable, Equatable, Codable {
        public var name: String
        public var mac: String?
        public var sandbox: String?
    }

    /// An address (`10.89.0.5/24`) with its gateway; `interface` indexes `interfaces`.
    public struct IPConfig: Sendable, Equatable, Codable {
        public var address: String
        public var gateway: String?
        public var interface: Int?

        public init(address: String, gateway: String? = nil, interface: Int? = nil) {
            self.address = address
            self.gateway = gateway
            self.interface = interface
        }
    }

    public struct Route: Sendable, Equatable, Codable {
        public var dst: String
        public var gw: String?
    }

    public struct DNS: Sendable, Equatable, Codable {
        public var nameservers: [String]?
        public var domain: String?
        public var search: [String]?
        public var options: [String]?
    }

    private struct Fields: Decodable {
        var cniVersion: String?
        var interfaces: [Interface]?
        var ips: [IPConfig]?
        var routes: [Route]?
        var dns: DNS?
    }

    /// Reads a result from its JSON value; throws when a modelled field has the wrong shape.
    public init(raw: JSONValue) throws {
        let fields = try raw.decode(Fields.self)
        self.cniVersion = fields.cniVersion ?? ""
        self.interfaces = fields.interfaces ?? []
        self.ips = fields.ips ?? []
        self.routes = fields.routes ?? []
        self.dns = fields.dns
        self.raw = raw
    }

    /// The interface inside the netns named `ifname`, with its addresses (without prefix length).
    public func addresses(onInterface ifname: String) -> [String] {
        let index = interfaces.firstIndex { $0.name == ifname && $0.sandbox != nil }
        return ips.filter { index == nil || $0.interface == nil || $0.interface == index }.map {
            String($0.address.prefix { $0 != "/" })
        }
    }
}
