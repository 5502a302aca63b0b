/// An IPv4 address as its 32 bits, parsed strictly from a dotted quad (four decimal parts 0–255, no leading
/// zeros, no shorthand); `description` is the dotted quad. One type for the manifest, the plan and CNI.
public struct IPv4Address: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var bits: UInt32

    public init(bits: UInt32) { self.bits = bits }

    /// Parses `a.b.c.d`; nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bits: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part == "0" || !part.hasPrefix("0"), let value = UInt32(part), value <= 255
            else { return nil }
            bits = bits << 8 | value
        }
        self.bits = bits
    }

    public var description: String {
        "\(bits >> 24).\(bits >> 16 & 0xff).\(bits >> 8 & 0xff).\(bits & 0xff)"
    }

    /// 127.0.0.0/8.
    public var isLoopback: Bool { bits >> 24 == 127 }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.bits < b.bits }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let address = IPv4Address(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an IPv4 address: \(text)"))
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// An IPv4 network `a.b.c.d/n` whose host bits are zero (`10.89.1.0/24`, not `10.89.1.1/24`).
public struct IPv4Subnet: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var network: IPv4Address
    public var prefixLength: Int

    /// The prefix lengths a bridge network may have: room for a gateway and at least one container, and
    /// no wider than a /8. The manifest's validator and the Networking module's `NetworkSpec` both hold to it.
    public static let bridgePrefixLengths = 8...30

    public init?(network: IPv4Address, prefixLength: Int) {
        guard (0...32).contains(prefixLength), network.bits & ~Self.mask(prefixLength) == 0 else { return nil }
        self.network = network
        self.prefixLength = prefixLength
    }

    /// Parses CIDR text; nil when malformed or when host bits are set (`problem(in:)` says which).
    public init?(_ text: String) {
        guard case .success(let subnet) = Self.parse(text) else { return nil }
        self = subnet
    }

    /// The subnet `text` names, or why it names none.
    public static func parse(_ text: String) -> Result<IPv4Subnet, SubnetProblem> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])), (1...2).contains(parts[1].count),
            parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let length = Int(parts[1]), length <= 32
        else { return .failure(SubnetProblem("expected an IPv4 subnet such as 10.89.0.0/24")) }
        guard let subnet = IPv4Subnet(network: address, prefixLength: length) else {
            let network = IPv4Address(bits: address.bits & mask(length))
            return .failure(SubnetProblem("host bits are set; did you mean \(network)/\(length)?"))
        }
        return .success(subnet)
    }

    /// Why a text is not a subnet.
    public struct SubnetProblem: Error, Equatable, Sendable {
        public var message: String
        init(_ message: String) { self.message = message }
    }

    static func mask(_ prefixLength: Int) -> UInt32 { prefixLength == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefixLength) }

    public var mask: UInt32 { Self.mask(prefixLength) }
    /// The last address.
    public var broadcast: IPv4Address { IPv4Address(bits: network.bits | ~mask) }
    /// The first host address: the default gateway, as host-local picks it.
    public var firstHost: IPv4Address { IPv4Address(bits: network.bits + (prefixLength >= 31 ? 0 : 1)) }

    public func contains(_ address: IPv4Address) -> Bool { address.bits & mask == network.bits }

    /// Whether `address` is a host address of the subnet (neither the network nor the broadcast address).
    public func containsHost(_ address: IPv4Address) -> Bool {
        contains(address) && address != network && address != broadcast
    }

    /// Whether the two subnets share any address.
    public func overlaps(_ other: IPv4Subnet) -> Bool {
        contains(other.network) || other.contains(network)
    }

    public var description: String { "\(network)/\(prefixLength)" }

    public static func < (a: Self, b: Self) -> Bool { (a.network, a.prefixLength) < (b.network, b.prefixLength) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        switch Self.parse(text) {
        case .success(let subnet): self = subnet
        case .failure(let problem):
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(text): \(problem.message)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
