import CLinuxShims
#if canImport(Glibc)
import Glibc
#endif

/// The sockets bound on this host, asked of the kernel's socket diagnostics (NETLINK_SOCK_DIAG).
public enum HostSockets {
    /// A bound socket: its protocol, port and local address (nil: every address, or an IPv6 address).
    public struct Bound: Sendable, Hashable {
        public var isTCP: Bool
        public var port: UInt16
        /// The IPv4 address it is bound to; nil when bound to every address (`0.0.0.0`) or to an IPv6 address
        /// (which is read as every address: the conservative reading for a port-conflict check).
        public var address: IPv4Address?

        public init(isTCP: Bool, port: UInt16, address: IPv4Address?) {
            self.isTCP = isTCP
            self.port = port
            self.address = address
        }
    }

    /// Listening TCP sockets (`tcp`) or bound, unconnected UDP sockets, IPv4 and IPv6: from the kernel's socket
    /// diagnostics, else (a kernel without them for the protocol) from /proc/net, whose TCP tables cost a walk of
    /// every connection bucket (1.5 ms a file here, on the start path of every apply that publishes a port).
    public static func bound(tcp: Bool) -> [Bound] {
        if let diagnosed = diagnosed(tcp: tcp) { return diagnosed }
        return (tcp ? ["tcp", "tcp6"] : ["udp", "udp6"]).flatMap { file in
            SmallFile.bytes("/proc/net/" + file).map { procTable(String(decoding: $0, as: UTF8.self), tcp: tcp) } ?? []
        }
    }

    /// Rows of a /proc/net/{tcp,udp}[6] table that are bound (TCP in LISTEN, `0A`; UDP unconnected, `07`):
    /// `local_address` is `HEXADDR:HEXPORT`, the address in the kernel's byte order (all zeroes: every address; an
    /// IPv6 table's addresses count as every address, the conservative reading).
    public static func procTable(_ table: String, tcp: Bool) -> [Bound] {
        let boundState = tcp ? "0A" : "07"
        return table.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 3, fields[3] == boundState else { return nil }
            let local = fields[1].split(separator: ":")
            guard local.count == 2, let port = UInt16(local[1], radix: 16) else { return nil }
            var address: IPv4Address?
            if local[0].count == 8, let raw = UInt32(local[0], radix: 16), raw != 0 {
                address = IPv4Address(bits: raw.byteSwapped)
            }
            return Bound(isTCP: tcp, port: port, address: address)
        }
    }

    /// What the kernel's socket diagnostics (NETLINK_SOCK_DIAG) report for the protocol; nil when it has none.
    public static func diagnosed(tcp: Bool) -> [Bound]? {
        let proto = Int32(tcp ? IPPROTO_TCP : IPPROTO_UDP)
        var room = 256
        while true {
            var entries = [berth_bound_socket](repeating: berth_bound_socket(), count: room)
            let count = Int(berth_bound_sockets(proto, &entries, Int32(room)))
            guard count >= 0 else { return nil }
            guard count > room else {
                return entries.prefix(count).map { entry in
                    var address: IPv4Address?
                    if Int32(entry.family) == AF_INET {
                        let bits = withUnsafeBytes(of: entry.address) { raw in
                            raw.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                        }
                        if bits != 0 { address = IPv4Address(bits: bits) }
                    }
                    return Bound(isTCP: tcp, port: entry.port, address: address)
                }
            }
            room = count + 64  // sockets came and went between the two dumps' sizes
        }
    }
}
