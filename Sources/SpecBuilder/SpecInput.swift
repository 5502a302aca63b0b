import Foundation
import OCI

#if canImport(Glibc)
import Glibc
#endif

/// Everything the spec builder needs for one planned container; the builder reads nothing else
/// except the env-files, the base `config` file and the rootfs's /etc/passwd and /etc/group.
public struct SpecInput: Sendable {
    /// The project name; part of the cgroups path.
    public var project: String
    /// The state root's identity (`StateRoot.identity`); part of the cgroups path, so that two state roots
    /// never share a cgroup.
    public var stateRootID: String
    /// The container as the plan decided it.
    public var container: ResolvedContainer
    /// The resolved image configuration; nil for `rootfs:` containers (no image) and checkpoint restores.
    public var imageConfig: ImageConfiguration?
    /// A spec to start from instead of the default spec or the `config:` file: a checkpoint's spec, on
    /// which the manifest's fields then apply as they do on a `config:` file.
    public var baseSpec: RuntimeSpec?
    /// Host path of the prepared rootfs; /etc/passwd and /etc/group are read inside it.
    public var rootfsPath: String
    /// PIDs of the project's running containers by name, for `with-ns` container targets.
    public var peerPIDs: [String: Int32]
    /// Set for a container attached to networks: the network namespace Berth made and attached, and the
    /// files bind-mounted over /etc/hosts and /etc/resolv.conf.
    public var network: NetworkFacts?
    /// For a container that joins another's network namespace (`with-ns` network `container:`): that
    /// container's /etc/hosts and /etc/resolv.conf files, shared as docker shares them.
    public var joinedResolutionFiles: (hosts: String, resolvConf: String)?
    /// The host's name, for the `HOSTNAME` variable `net-host` sets.
    public var hostHostname: String
    /// The capabilities a `privileged` container gets: containerd gives it every capability the
    /// calling process has (a runtime cannot grant more), so this defaults to this process's CapEff.
    public var privilegedCapabilities: [String]
    /// Where apply writes the container's secret and config files (`SecretMount.fileName` in it).
    public var secretsDirectory: String?
    /// The host directory of each named volume the container mounts, by the manifest's volume name.
    public var volumePaths: [String: String] = [:]
    /// The host's statically linked init (tini), bind-mounted for `init: true`; nil when the host has none.
    public var initBinary: String?

    /// Where `init: true` finds its init: Debian's `tini` package installs a static build here (a dynamic
    /// one would not run in an image without the host's libc).
    public static let initBinaryCandidates = ["/usr/bin/tini-static", "/usr/local/bin/tini-static"]

    public static func locateInitBinary() -> String? {
        initBinaryCandidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public init(
        project: String, stateRootID: String, container: ResolvedContainer, imageConfig: ImageConfiguration? = nil,
        rootfsPath: String, peerPIDs: [String: Int32] = [:],
        hostHostname: String = SpecInput.currentHostname(),
        privilegedCapabilities: [String] = SpecInput.currentCapabilities()
    ) {
        self.project = project
        self.stateRootID = stateRootID
        self.container = container
        self.imageConfig = imageConfig
        self.rootfsPath = rootfsPath
        self.peerPIDs = peerPIDs
        self.hostHostname = hostHostname
        self.privilegedCapabilities = privilegedCapabilities
    }

    /// Where an attached container's network lives on the host.
    public struct NetworkFacts: Sendable, Hashable {
        public var namespacePath: String
        public var hostsFile: String
        public var resolvConfFile: String

        public init(namespacePath: String, hostsFile: String, resolvConfFile: String) {
            self.namespacePath = namespacePath
            self.hostsFile = hostsFile
            self.resolvConfFile = resolvConfFile
        }
    }

    /// The effective capabilities of this process by name (from /proc/self/status `CapEff`), in
    /// number order; bits Linux has not named are left out. Empty if the file cannot be read.
    public static func currentCapabilities() -> [String] {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return [] }
        return capabilities(fromStatus: status)
    }

    static func capabilities(fromStatus status: String) -> [String] {
        guard let line = status.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("CapEff:") }),
            let mask = UInt64(String(line.dropFirst("CapEff:".count).filter { !$0.isWhitespace }), radix: 16)
        else { return [] }
        return DefaultSpec.allCapabilities.enumerated().filter { mask & (1 << UInt64($0.offset)) != 0 }.map(\.element)
    }

    /// The kernel's host name (what Go's `os.Hostname` returns), or "" if it cannot be read.
    public static func currentHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
