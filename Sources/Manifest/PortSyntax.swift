import BerthSystem
/// The short syntax of a published port, as compose writes it: `[HOST-IP:]PUBLISHED:TARGET[/PROTOCOL]`, where
/// PUBLISHED and TARGET are a port or a range `A-B` of the same length. A target without a published port
/// (an ephemeral host port) is refused: the plan must say which host port is taken.
enum PortSyntax {
    struct Problem: Error, Equatable {
        var text: String
    }

    static func parse(_ text: String) -> Result<[PortMapping], Problem> {
        var body = Substring(text)
        var proto = PortProtocol.tcp
        if let slash = body.lastIndex(of: "/") {
            guard let parsed = PortProtocol(rawValue: String(body[body.index(after: slash)...])) else {
                return .failure(Problem(text: "unknown protocol; use tcp, udp or sctp"))
            }
            proto = parsed
            body = body[..<slash]
        }
        let parts = body.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var hostIP: IPv4Address?
        let published: String
        let target: String
        switch parts.count {
        case 1:
            return .failure(Problem(text: "name the published host port too (PUBLISHED:TARGET, e.g. 8080:\(parts[0]))"))
        case 2:
            (published, target) = (parts[0], parts[1])
        case 3:
            guard let ip = IPv4Address(parts[0]) else {
                return .failure(Problem(text: "host address `\(parts[0])` is not an IPv4 address"))
            }
            hostIP = ip
            (published, target) = (parts[1], parts[2])
        default:
            return .failure(Problem(text: "expected [HOST-IP:]PUBLISHED:TARGET[/PROTOCOL]"))
        }
        guard let hostRange = range(published) else {
            return .failure(Problem(text: "published port `\(published)` is not a port (1-65535) or a range A-B"))
        }
        guard let targetRange = range(target) else {
            return .failure(Problem(text: "target port `\(target)` is not a port (1-65535) or a range A-B"))
        }
        guard hostRange.count == targetRange.count else {
            return .failure(Problem(text: "the published range has \(hostRange.count) ports and the target range \(targetRange.count)"))
        }
        return .success(
            zip(hostRange, targetRange).map { PortMapping(hostIP: hostIP, hostPort: $0, containerPort: $1, proto: proto) })
    }

    /// `N` or `A-B` with A ≤ B, each 1…65535.
    static func range(_ text: String) -> ClosedRange<UInt16>? {
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        switch bounds.count {
        case 1: return port(bounds[0]).map { $0...$0 }
        case 2:
            guard let low = port(bounds[0]), let high = port(bounds[1]), low <= high else { return nil }
            return low...high
        default: return nil
        }
    }

    /// A decimal port 1…65535.
    static func port(_ text: String) -> UInt16? {
        guard (1...5).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = UInt16(text), value > 0
        else { return nil }
        return value
    }
}

extension PortMapping {
    /// One mapping from its `shortForm` (a single port, as recorded in the state); nil for anything else.
    public init?(shortForm: String) {
        guard case .success(let mappings) = PortSyntax.parse(shortForm), mappings.count == 1, let only = mappings.first else {
            return nil
        }
        self = only
    }
}

extension ExposedPort {
    /// `PORT` or `PORT/PROTOCOL` (tcp when left out): `expose:` entries, and a port asked for on the command line.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let port = PortSyntax.port(String(parts[0])),
            let proto = parts.count == 2 ? PortProtocol(rawValue: String(parts[1])) : .tcp
        else { return nil }
        self.init(port: port, proto: proto)
    }
}
