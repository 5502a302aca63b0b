import BerthSystem
import Foundation
import Networking
import Testing

/// `/etc/hosts` for a container: order, no duplicates, no stale names.
struct HostsFileTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var own: [HostsEntry]
        var extra: [HostsEntry] = []
        var peers: [HostsEntry] = []
        var expected: String
    }

    static let header = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"

    static let cases: [Case] = [
        Case(
            description: "own names, then extra hosts as given, then peers sorted",
            own: [HostsEntry(address: "10.89.0.2", names: ["web", "web.shop", "www"])],
            extra: [HostsEntry(address: "192.0.2.7", names: ["registry.local"])],
            peers: [HostsEntry(address: "10.89.0.4", names: ["db", "db.shop"]), HostsEntry(address: "10.89.0.3", names: ["cache", "cache.shop"])],
            expected: header + "10.89.0.2\tweb web.shop www\n192.0.2.7\tregistry.local\n10.89.0.3\tcache cache.shop\n10.89.0.4\tdb db.shop\n"),
        Case(
            description: "a name already listed is dropped from later lines, whatever its case",
            own: [HostsEntry(address: "10.89.0.2", names: ["web"])],
            peers: [HostsEntry(address: "10.89.0.9", names: ["WEB", "api"]), HostsEntry(address: "10.89.0.8", names: ["localhost"])],
            expected: header + "10.89.0.2\tweb\n10.89.0.9\tapi\n"),
        Case(
            description: "two networks give the same peer twice: one line",
            own: [HostsEntry(address: "10.89.0.2", names: ["web"]), HostsEntry(address: "10.90.0.2", names: ["web"])],
            peers: [HostsEntry(address: "10.89.0.5", names: ["db", "db.shop"]), HostsEntry(address: "10.89.0.5", names: ["db", "db.shop"])],
            expected: header + "10.89.0.2\tweb\n10.89.0.5\tdb db.shop\n"),
        Case(
            description: "names for an address already listed join its line; extra hosts win over peers",
            own: [HostsEntry(address: "10.89.0.2", names: ["web"])],
            extra: [HostsEntry(address: "10.89.0.2", names: ["me"]), HostsEntry(address: "192.0.2.1", names: ["db"])],
            peers: [HostsEntry(address: "10.89.0.5", names: ["db"])],
            expected: header + "10.89.0.2\tweb me\n192.0.2.1\tdb\n"),
        Case(
            description: "IPv6 extra hosts", own: [], extra: [HostsEntry(address: "2001:db8::1", names: ["v6.example"])],
            expected: header + "2001:db8::1\tv6.example\n"),
    ]

    @Test(arguments: cases)
    func rendered(_ test: Case) throws {
        #expect(try HostsFile.render(own: test.own, extraHosts: test.extra, peers: test.peers) == test.expected)
        // Peers given in another order give the same bytes.
        #expect(try HostsFile.render(own: test.own, extraHosts: test.extra, peers: test.peers.reversed()) == test.expected)
    }

    @Test(arguments: [
        HostsEntry(address: "10.0.0.1\n10.0.0.2", names: ["x"]), HostsEntry(address: "10.0.0.1", names: ["a b"]),
        HostsEntry(address: "10.0.0.1", names: ["evil\n1.2.3.4 bank"]), HostsEntry(address: "10.0.0.1", names: [""]),
        HostsEntry(address: "10.0.0.1", names: ["-x"]), HostsEntry(address: "not-an-ip", names: ["x"]),
    ])
    func entriesThatWouldBreakTheFileAreRefused(_ entry: HostsEntry) {
        #expect(throws: NetworkError.self) { _ = try HostsFile.render(own: [entry]) }
    }
}

/// `/etc/resolv.conf` for a container from the host's, systemd-resolved's or the manifest's values.
struct ResolvConfTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var host: String
        var upstream: String?
        var dns: [String] = []
        var search: [String] = []
        var options: [String] = []
        var source: ResolvConf.Source
        var expected: String
    }

    static let stub = "# This is /run/systemd/resolve/stub-resolv.conf\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch corp.example\n"
    static let upstream = "nameserver 192.0.2.53\nnameserver 127.0.0.1\nnameserver 2001:db8::53\nsearch corp.example lab.example\n"

    static let cases: [Case] = [
        Case(
            description: "the host's servers as they are", host: "nameserver 10.255.255.53\nsearch example.org\n", upstream: nil, source: .host,
            expected: "nameserver 10.255.255.53\nsearch example.org\n"),
        Case(
            description: "systemd-resolved's stub replaced by its upstream servers, loopback dropped", host: stub, upstream: upstream,
            source: .upstream, expected: "nameserver 192.0.2.53\nnameserver 2001:db8::53\nsearch corp.example lab.example\n"),
        Case(
            description: "loopback servers dropped, the others kept", host: "nameserver 127.0.0.1\nnameserver ::1\nnameserver 198.51.100.1\n",
            upstream: upstream, source: .host, expected: "nameserver 198.51.100.1\n"),
        Case(
            description: "only a stub and no upstream: public resolvers, said so", host: stub, upstream: nil, source: .publicFallback,
            expected: "nameserver 8.8.8.8\nnameserver 8.8.4.4\nsearch corp.example\noptions edns0 trust-ad\n"),
        Case(
            description: "dns, dns-search and options given replace the host's", host: stub, upstream: upstream,
            dns: ["1.1.1.1", "9.9.9.9", "1.1.1.1"], search: ["svc.local"], options: ["ndots:2"], source: .explicit,
            expected: "nameserver 1.1.1.1\nnameserver 9.9.9.9\nsearch svc.local\noptions ndots:2\n"),
        Case(
            description: "domain counts as search when there is none", host: "domain example.net\nnameserver 203.0.113.9\n", upstream: nil,
            source: .host, expected: "nameserver 203.0.113.9\nsearch example.net\n"),
    ]

    @Test(arguments: cases)
    func rendered(_ test: Case) {
        let (conf, source) = ResolvConf.forContainer(
            host: test.host, upstream: test.upstream, dns: test.dns, dnsSearch: test.search, dnsOptions: test.options)
        #expect(source == test.source)
        #expect(conf.text == test.expected)
    }

    @Test func thisHostsFilesGiveReachableServers() {
        let (conf, source) = ResolvConf.forContainer()
        print("resolv.conf for containers on this host (\(source.rawValue)): \(conf.nameservers)")
        #expect(!conf.nameservers.isEmpty)
        #expect(!conf.nameservers.contains { $0.hasPrefix("127.") })
    }
}

/// The in-place writer: same inode, never empty, created atomically the first time.
struct ResolutionFileTests {
    @Test func rewritesKeepTheInodeWhetherTheTextGrowsOrShrinks() throws {
        let scratch = try Scratch("hosts")
        defer { scratch.finish() }
        let path = scratch.path + "/hosts"
        try ResolutionFile.write("127.0.0.1\tlocalhost\n", to: path, inside: scratch.path)
        let inode = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o644)
        // A reader holding the file open (as a bind mount does) sees every version.
        let reader = open(path, O_RDONLY)
        defer { close(reader) }
        for text in ["127.0.0.1\tlocalhost\n10.89.0.2\tweb web.shop\n10.89.0.3\tdb\n", "127.0.0.1\tlocalhost\n10.89.0.7\tweb\n", "x\n"] {
            try ResolutionFile.write(text, to: path, inside: scratch.path)
            #expect(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64 == inode)
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = pread(reader, &buffer, buffer.count, 0)
            #expect(String(decoding: buffer[0..<max(count, 0)], as: UTF8.self) == text)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["hosts"])
    }

    @Test func aPathOutsideTheRootOrASymlinkIsRefused() throws {
        let scratch = try Scratch("hosts-guard")
        defer { scratch.finish() }
        #expect(throws: PathEscapeError.self) { try ResolutionFile.write("x", to: scratch.path + "/../escape", inside: scratch.path) }
        try FileManager.default.createSymbolicLink(atPath: scratch.path + "/link", withDestinationPath: "/etc/hostname")
        #expect(throws: NetworkError.self) { try ResolutionFile.write("x", to: scratch.path + "/link", inside: scratch.path) }
    }
}
