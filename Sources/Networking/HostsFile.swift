import BerthSystem
import Foundation

/// One line of a hosts file: an address and the names that resolve to it.
public struct HostsEntry: Sendable, Hashable, Codable {
    public var address: String
    public var names: [String]

    public init(address: String, names: [String]) {
        self.address = address
        self.names = names
    }
}

/// A container's `/etc/hosts`, rendered from plain entries. Deterministic and without duplicates: a name
/// (compared case-insensitively, as DNS does) resolves through its first line only, so a replaced
/// container's old address can never shadow or join the new one.
public enum HostsFile {
    /// The lines every container gets first.
    public static let localhost = [
        HostsEntry(address: "127.0.0.1", names: ["localhost"]),
        HostsEntry(address: "::1", names: ["localhost", "ip6-localhost", "ip6-loopback"]),
    ]

    /// The file for one container, in this order: localhost, the container's own entries (its addresses
    /// with its name, `name.project`, hostname and aliases), `extra-hosts` as given, then the other members
    /// of its networks sorted by their first name and address. A name already listed for an address of the
    /// same family (IPv4, IPv6) is dropped from later lines, a line left without names is dropped, and names
    /// for an address already listed join that line.
    /// Throws when an address is not IPv4/IPv6 or a name is not a host name (either would break the file).
    public static func render(own: [HostsEntry], extraHosts: [HostsEntry] = [], peers: [HostsEntry] = []) throws -> String {
        let sortedPeers = peers.sorted { ($0.names.first ?? "", $0.address) < ($1.names.first ?? "", $1.address) }
        var lines: [(address: String, names: [String])] = []
        var lineOfAddress: [String: Int] = [:]
        var taken = Set<String>()
        for entry in localhost + own + extraHosts + sortedPeers {
            guard isValidAddress(entry.address) else {
                throw NetworkError.invalidValue("hosts address", entry.address, "expected an IPv4 or IPv6 address")
            }
            let family = entry.address.contains(":") ? "6:" : "4:"
            var fresh: [String] = []
            for name in entry.names {
                guard isValidHostName(name) else {
                    throw NetworkError.invalidValue("host name", name, "a host name is letters, digits, `-` and `.`, at most 253 characters")
                }
                if taken.insert(family + name.lowercased()).inserted { fresh.append(name) }
            }
            guard !fresh.isEmpty else { continue }
            if let index = lineOfAddress[entry.address] {
                lines[index].names += fresh
            } else {
                lineOfAddress[entry.address] = lines.count
                lines.append((entry.address, fresh))
            }
        }
        return lines.map { "\($0.address)\t\($0.names.joined(separator: " "))\n" }.joined()
    }

    /// A DNS host name: labels of letters, digits, `-` and `_` (1–63 each, not starting or ending with `-`)
    /// separated by dots, at most 253 characters in all.
    public static func isValidHostName(_ name: String) -> Bool {
        Names.isValidHostName(name, allowingUnderscore: true)
    }

    /// Whether `text` is an IPv4 or IPv6 address (as `inet_pton` reads them).
    public static func isValidAddress(_ text: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
    }
}
