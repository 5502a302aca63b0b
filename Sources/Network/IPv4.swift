import BerthSystem

/// An IPv4 address as its 32 bits; `description` is the dotted quad.
public struct IPv4Address: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var bits: UInt32

    public init(bits: UInt32) { self.bits = bits }

    /// Parses `a.b.c.d` (four decimal parts 0–255, no leading zeros); nil otherwise.
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

/// An IPv4 subnet `a.b.c.d/n` whose host bits are zero; prefixes from /8 to /30 (a bridge network needs a
/// gateway and at least one container address).
public struct IPv4Subnet: Sendable, Hashable, Codable, CustomStringConvertible {
    public var network: IPv4Address
    public var prefixLength: Int

    /// Parses and checks `text`; throws naming the value and the rule.
    public init(_ text: String) throws(NetworkError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
            let length = Int(parts[1])
        else { throw .invalidValue("subnet", text, "expected an IPv4 subnet such as 10.89.0.0/24") }
        guard (8...30).contains(length) else {
            throw .invalidValue("subnet", text, "the prefix length must be between 8 and 30")
        }
        self.network = address
        self.prefixLength = length
        guard address.bits & ~mask == 0 else {
            throw .invalidValue("subnet", text, "host bits are set; did you mean \(IPv4Address(bits: address.bits & mask))/\(length)?")
        }
    }

    public var mask: UInt32 { prefixLength == 0 ? 0 : ~UInt32(0) << (32 - prefixLength) }
    public var broadcast: IPv4Address { IPv4Address(bits: network.bits | ~mask) }
    /// The first host address, the default gateway (as host-local picks it).
    public var firstHost: IPv4Address { IPv4Address(bits: network.bits + 1) }

    /// Whether `address` is a host address of the subnet (not the network or broadcast address).
    public func containsHost(_ address: IPv4Address) -> Bool {
        address.bits & mask == network.bits && address != network && address != broadcast
    }

    /// Whether the two subnets share any address.
    public func overlaps(_ other: IPv4Subnet) -> Bool {
        let shorter = min(prefixLength, other.prefixLength)
        let common: UInt32 = shorter == 0 ? 0 : ~UInt32(0) << (32 - shorter)
        return network.bits & common == other.network.bits & common
    }

    public var description: String { "\(network)/\(prefixLength)" }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try IPv4Subnet(text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
