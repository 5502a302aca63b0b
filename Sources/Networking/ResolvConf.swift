import BerthSystem
import Foundation

/// A container's `/etc/resolv.conf`: name servers, search domains, options.
public struct ResolvConf: Sendable, Equatable {
    public var nameservers: [String]
    public var search: [String]
    public var options: [String]

    /// Google's public resolvers, used only when nothing else is known (as docker does); `forContainer`
    /// then returns `Source.publicFallback`, so the caller can say so.
    public static let publicFallback = ["8.8.8.8", "8.8.4.4"]
    /// Where systemd-resolved keeps the upstream servers behind its 127.0.0.53 stub.
    public static let systemdResolvedUpstream = "/run/systemd/resolve/resolv.conf"

    public init(nameservers: [String], search: [String] = [], options: [String] = []) {
        self.nameservers = nameservers
        self.search = search
        self.options = options
    }

    /// Reads resolv.conf text: `nameserver`, `search` (or `domain`, when no `search` follows), `options`;
    /// comments and other lines ignored.
    public init(parsing text: String) {
        var nameservers: [String] = []
        var search: [String]?
        var domain: [String] = []
        var options: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let keyword = fields.first, !keyword.hasPrefix("#"), !keyword.hasPrefix(";") else { continue }
            let values = Array(fields.dropFirst())
            switch keyword {
            case "nameserver": if let server = values.first { nameservers.append(server) }
            case "search": search = values
            case "domain": domain = Array(values.prefix(1))
            case "options": options += values
            default: break
            }
        }
        self.init(nameservers: nameservers, search: search ?? domain, options: options)
    }

    /// The file's text, one `nameserver` line per server.
    public var text: String {
        var lines = nameservers.map { "nameserver \($0)" }
        if !search.isEmpty { lines.append("search " + search.joined(separator: " ")) }
        if !options.isEmpty { lines.append("options " + options.joined(separator: " ")) }
        return lines.map { $0 + "\n" }.joined()
    }

    /// Where a container's servers came from.
    public enum Source: String, Sendable {
        /// The manifest's `dns:`.
        case explicit
        /// The host's resolv.conf, loopback servers removed.
        case host
        /// systemd-resolved's upstream servers, the host's file only naming its loopback stub.
        case upstream
        /// Nothing usable anywhere: `publicFallback`.
        case publicFallback
    }

    /// The container's file. Servers: `dns` when given; else the host's without loopback addresses (a
    /// stub such as 127.0.0.53 cannot be reached from the container's namespace); else the non-loopback
    /// servers of `upstream` (systemd-resolved's file); else `publicFallback`. Search domains and options:
    /// `dnsSearch` / `dnsOptions` when given, else the host's (or upstream's when the servers came from it).
    public static func forContainer(
        host: String, upstream: String?, dns: [String] = [], dnsSearch: [String] = [], dnsOptions: [String] = []
    ) -> (conf: ResolvConf, source: Source) {
        let hostConf = ResolvConf(parsing: host)
        let upstreamConf = upstream.map { ResolvConf(parsing: $0) }
        var base = hostConf
        let source: Source
        var servers: [String]
        if !dns.isEmpty {
            servers = dns
            source = .explicit
        } else if case let reachable = hostConf.nameservers.filter({ !isLoopback($0) }), !reachable.isEmpty {
            servers = reachable
            source = .host
        } else if let upstreamConf, case let reachable = upstreamConf.nameservers.filter({ !isLoopback($0) }), !reachable.isEmpty {
            servers = reachable
            source = .upstream
            base = upstreamConf
        } else {
            servers = publicFallback
            source = .publicFallback
        }
        var unique: [String] = []
        for server in servers where !unique.contains(server) { unique.append(server) }
        servers = unique
        let conf = ResolvConf(
            nameservers: servers, search: dnsSearch.isEmpty ? base.search : dnsSearch,
            options: dnsOptions.isEmpty ? base.options : dnsOptions)
        return (conf, source)
    }

    /// As `forContainer(host:upstream:…)`, reading the host's files (`/etc/resolv.conf`, systemd-resolved's).
    public static func forContainer(
        hostPath: String = "/etc/resolv.conf", upstreamPath: String = systemdResolvedUpstream, dns: [String] = [], dnsSearch: [String] = [],
        dnsOptions: [String] = []
    ) -> (conf: ResolvConf, source: Source) {
        let host = (try? String(contentsOfFile: hostPath, encoding: .utf8)) ?? ""
        let upstream = try? String(contentsOfFile: upstreamPath, encoding: .utf8)
        return forContainer(host: host, upstream: upstream, dns: dns, dnsSearch: dnsSearch, dnsOptions: dnsOptions)
    }

    /// 127.0.0.0/8 and ::1 (also written out in full).
    static func isLoopback(_ server: String) -> Bool {
        if let address = IPv4Address(server) { return address.isLoopback }
        var bytes = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, server, &bytes) == 1 else { return false }
        return bytes == [UInt8](repeating: 0, count: 15) + [1]
    }
}
