import BerthSystem
import Diagnostics
import Foundation

/// Published ports that a process on the host already listens on (the kernel's socket diagnostics, or
/// `/proc/net/tcp`, `udp` and their IPv6 tables): the portmap plugin's DNAT would take their traffic without
/// a word, so they are refused first.
extension HostValidator {
    /// A socket bound on the host: its address (nil for every address) and port.
    struct BoundSocket: Equatable {
        var proto: PortProtocol
        var address: IPv4Address?
        var port: UInt16
    }

    static func portProblems(_ c: ContainerDefinition, bound: [BoundSocket]) -> [Diagnostic] {
        c.ports.compactMap { mapping in
            let taken = bound.contains { socket in
                socket.proto == mapping.proto && socket.port == mapping.hostPort
                    && (socket.address == nil || mapping.hostIP == nil || socket.address == mapping.hostIP)
            }
            guard taken else { return nil }
            return .error(
                at: c.locations["ports"],
                "host port \(mapping.hostPort)/\(mapping.proto.rawValue) is already in use on this host "
                    + "(`ss -lntup` shows by whom); publish another port or stop what listens there")
        }
    }

    /// The host's listening TCP sockets and bound UDP sockets: from the kernel's socket diagnostics, else
    /// (a kernel without them for a protocol) from /proc/net, whose TCP tables cost a walk of every
    /// connection bucket (1.5 ms a file here, on the start path of every apply that publishes a port).
    static func boundSockets() -> [BoundSocket] {
        var sockets: [BoundSocket] = []
        for (proto, files, state) in [(PortProtocol.tcp, ["tcp", "tcp6"], "0A"), (.udp, ["udp", "udp6"], "07")] {
            if let bound = HostSockets.bound(tcp: proto == .tcp) {
                sockets += bound.map { BoundSocket(proto: proto, address: $0.address, port: $0.port) }
                continue
            }
            for file in files {
                guard let table = try? String(contentsOfFile: "/proc/net/" + file, encoding: .utf8) else { continue }
                sockets += parseSocketTable(table, proto: proto, boundState: state)
            }
        }
        return sockets
    }

    /// Rows of a /proc/net/{tcp,udp}[6] table in state `boundState`: `local_address` is `HEXADDR:HEXPORT`,
    /// the address in the kernel's byte order (all zeroes: every address; an IPv6 table's addresses other
    /// than `::` count as every address too, the conservative reading).
    static func parseSocketTable(_ table: String, proto: PortProtocol, boundState: String) -> [BoundSocket] {
        table.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 3, fields[3] == boundState else { return nil }
            let local = fields[1].split(separator: ":")
            guard local.count == 2, let port = UInt16(local[1], radix: 16) else { return nil }
            var address: IPv4Address?
            if local[0].count == 8, let raw = UInt32(local[0], radix: 16), raw != 0 {
                address = IPv4Address(bits: raw.byteSwapped)
            }
            return BoundSocket(proto: proto, address: address, port: port)
        }
    }
}
