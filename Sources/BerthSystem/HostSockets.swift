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

    /// Listening TCP sockets (`tcp`) or bound, unconnected UDP sockets, IPv4 and IPv6; nil when the kernel
    /// has no socket diagnostics for the protocol (the caller reads /proc/net instead).
    public static func bound(tcp: Bool) -> [Bound]? {
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
