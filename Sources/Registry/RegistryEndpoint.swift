import ImageStore

/// Where a repository lives: the registry as users name it, the host Berth connects to, and the repository path.
struct RegistryEndpoint: Sendable, Hashable {
    /// The registry as it appears in references and credentials, e.g. `docker.io` or `127.0.0.1:5000`.
    let registry: String
    /// The host[:port] requests go to (`registry-1.docker.io` for `docker.io`).
    let host: String
    /// The repository path, e.g. `library/alpine`.
    let repository: String

    init(_ reference: ImageReference) {
        let parts = reference.name.split(separator: "/", maxSplits: 1).map(String.init)
        registry = parts[0]
        repository = parts.count > 1 ? parts[1] : ""
        host = Self.host(forRegistry: registry)
    }

    static func host(forRegistry registry: String) -> String {
        registry == "docker.io" ? "registry-1.docker.io" : registry
    }

    /// `localhost`, 127.0.0.0/8 or ::1, with or without a port.
    static func isLoopback(_ registry: String) -> Bool {
        var host = Substring(registry)
        if host.hasPrefix("["), let end = host.firstIndex(of: "]") {
            host = host[host.index(after: host.startIndex)..<end]
        } else if let colon = host.lastIndex(of: ":"), host.filter({ $0 == ":" }).count == 1 {
            host = host[..<colon]
        }
        let ipv4 = host.split(separator: ".", omittingEmptySubsequences: false)
        let isIPv4 = ipv4.count == 4 && ipv4.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) }
        return host == "localhost" || host == "::1" || (isIPv4 && ipv4[0] == "127")
    }
}
