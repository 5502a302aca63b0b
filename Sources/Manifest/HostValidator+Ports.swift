import BerthSystem
import Diagnostics
import Foundation

/// Published ports that a process on the host already listens on (the kernel's socket diagnostics, or
/// `/proc/net/tcp`, `udp` and their IPv6 tables): the portmap plugin's DNAT would take their traffic without
/// a word, so they are refused first.
extension HostValidator {
    static func portProblems(_ c: ContainerDefinition, bound: [HostSockets.Bound]) -> [Diagnostic] {
        c.ports.compactMap { mapping in
            guard mapping.proto != .sctp else { return nil }  // only TCP and UDP sockets are looked up
            let taken = bound.contains { socket in
                socket.isTCP == (mapping.proto == .tcp) && socket.port == mapping.hostPort
                    && (socket.address == nil || mapping.hostIP == nil || socket.address == mapping.hostIP)
            }
            guard taken else { return nil }
            return .error(
                at: c.locations["ports"],
                "host port \(mapping.hostPort)/\(mapping.proto.rawValue) is already in use on this host "
                    + "(`ss -lntup` shows by whom); publish another port or stop what listens there")
        }
    }

    /// The host's listening TCP sockets and bound UDP sockets.
    static func boundSockets() -> [HostSockets.Bound] {
        HostSockets.bound(tcp: true) + HostSockets.bound(tcp: false)
    }
}
