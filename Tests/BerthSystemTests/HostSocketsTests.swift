import Foundation
import Testing

@testable import BerthSystem

#if canImport(Glibc)
import Glibc
#endif

/// HostSockets against real sockets of this process: what listens or is bound is reported with its address,
/// what only connects is not, and the kernel's answer agrees with /proc/net for the ports made here.
@Suite struct HostSocketsTests {
    /// A socket of `type` bound to `address` (IPv4, host byte order) on a port the kernel picks; its fd and port.
    private func bound(_ type: Int32, address: UInt32) throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        try #require(fd >= 0)
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = address.bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let status = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 ? getsockname(fd, pointer, &length) : -1
            }
        }
        try #require(status == 0)
        return (fd, UInt16(bigEndian: local.sin_port))
    }

    private static let loopback: UInt32 = 0x7f00_0001

    @Test func listeningAndBoundSocketsAreReportedWithTheirAddresses() throws {
        let listener = try bound(Int32(SOCK_STREAM.rawValue), address: Self.loopback)
        defer { close(listener.fd) }
        #expect(listen(listener.fd, 1) == 0)
        let everywhere = try bound(Int32(SOCK_STREAM.rawValue), address: 0)
        defer { close(everywhere.fd) }
        #expect(listen(everywhere.fd, 1) == 0)
        let datagram = try bound(Int32(SOCK_DGRAM.rawValue), address: Self.loopback)
        defer { close(datagram.fd) }

        let tcp = try #require(HostSockets.diagnosed(tcp: true))
        let udp = try #require(HostSockets.diagnosed(tcp: false))
        #expect(tcp.contains(.init(isTCP: true, port: listener.port, address: IPv4Address("127.0.0.1"))))
        #expect(tcp.contains(.init(isTCP: true, port: everywhere.port, address: nil)))
        #expect(udp.contains(.init(isTCP: false, port: datagram.port, address: IPv4Address("127.0.0.1"))))
        // Each is reported under its own protocol only.
        #expect(!tcp.contains { $0.port == datagram.port && $0.address == IPv4Address("127.0.0.1") })
        #expect(!udp.contains { $0.port == listener.port && $0.address == IPv4Address("127.0.0.1") })
    }

    @Test func aConnectionIsNotABoundPortAndAClosedListenerIsGone() throws {
        let listener = try bound(Int32(SOCK_STREAM.rawValue), address: Self.loopback)
        #expect(listen(listener.fd, 1) == 0)
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(client) }
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_addr.s_addr = Self.loopback.bigEndian
        remote.sin_port = listener.port.bigEndian
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let connected = withUnsafeMutablePointer(to: &remote) { r in
            r.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        _ = withUnsafeMutablePointer(to: &local) { l in l.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(client, $0, &length) } }
        let clientPort = UInt16(bigEndian: local.sin_port)

        let open = try #require(HostSockets.diagnosed(tcp: true))
        #expect(open.contains { $0.port == listener.port })
        #expect(!open.contains { $0.port == clientPort }, "the client's end of a connection listens on nothing")
        close(listener.fd)
        let closed = try #require(HostSockets.diagnosed(tcp: true))
        #expect(!closed.contains { $0.port == listener.port && $0.address == IPv4Address("127.0.0.1") })
    }

    @Test func theKernelAgreesWithProcNetForThePortsMadeHere() throws {
        let listeners = try (0..<3).map { _ in try bound(Int32(SOCK_STREAM.rawValue), address: Self.loopback) }
        defer { for l in listeners { close(l.fd) } }
        for l in listeners { #expect(listen(l.fd, 1) == 0) }
        let ports = Set(listeners.map(\.port))
        let table = try String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)
        let fromProc = Set(HostSockets.procTable(table, tcp: true).map(\.port)).intersection(ports)
        let fromKernel = Set(try #require(HostSockets.diagnosed(tcp: true)).map(\.port)).intersection(ports)
        #expect(fromProc == ports)
        #expect(fromKernel == fromProc)
    }

    static let table = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
           1: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1
           2: 0100007F:1F91 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 3 1
           3: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4 1
           4: garbage
        """

    /// The fallback's reading of /proc/net: bound rows only, their port and address (all zeroes: every address).
    @Test func procNetRowsAreReadWithTheirAddress() {
        #expect(
            HostSockets.procTable(Self.table, tcp: true) == [
                .init(isTCP: true, port: 8080, address: IPv4Address("127.0.0.1")), .init(isTCP: true, port: 80, address: nil),
            ])
        #expect(HostSockets.procTable(Self.table, tcp: false) == [.init(isTCP: false, port: 53, address: IPv4Address("127.0.0.1"))])
    }

    /// Whatever answers, the listener made here is among the bound sockets.
    @Test func boundFindsAListenerWhicheverSourceAnswers() throws {
        let listener = try bound(Int32(SOCK_STREAM.rawValue), address: Self.loopback)
        defer { close(listener.fd) }
        #expect(listen(listener.fd, 1) == 0)
        #expect(HostSockets.bound(tcp: true).contains { $0.port == listener.port })
    }
}
