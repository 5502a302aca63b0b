import BerthSystem
import Foundation
import Networking
import Synchronization

/// A scratch directory for one test, and a stack of clean-up steps run last-in-first-out when the test
/// ends, also when it failed (call `finish()` in a `defer`).
final class Scratch: Sendable {
    let path: String
    private let cleanups = Mutex<[@Sendable () -> Void]>([])

    init(_ label: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-net-\(label)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    var paths: NetworkPaths { get throws { try NetworkPaths(root: path + "/network") } }

    func onFinish(_ step: @escaping @Sendable () -> Void) {
        cleanups.withLock { $0.append(step) }
    }

    func finish() {
        for step in cleanups.withLock({ $0 }).reversed() { step() }
        // Netns files are mount points: never remove the tree while one is still mounted.
        if MountTable.mountPoints(under: path).isEmpty { try? FileManager.default.removeItem(atPath: path) }
    }
}

/// What the real-plugin tests need: root, the plugins, iptables and ip. When something is missing the test
/// prints why and returns early (`skipReason` non-nil).
enum Host {
    static let pluginDirectory = "/usr/lib/cni"

    static var skipReason: String? {
        if geteuid() != 0 { return "not root: creating namespaces, bridges and iptables rules needs root" }
        for plugin in ["bridge", "host-local", "portmap", "firewall"] where access(pluginDirectory + "/" + plugin, X_OK) != 0 {
            return "\(pluginDirectory)/\(plugin) is missing (apt-get install containernetworking-plugins)"
        }
        for tool in ["/usr/sbin/iptables-save", "/usr/sbin/ip", "/usr/bin/nsenter"] where access(tool, X_OK) != 0 {
            return "\(tool) is missing"
        }
        return nil
    }

    /// Prints the reason and returns true when the test cannot run here.
    static func skip(_ test: String) -> Bool {
        guard let reason = skipReason else { return false }
        print("skipped \(test): \(reason)")
        return true
    }

    static func run(_ program: String, _ arguments: [String]) throws -> String {
        let output = try Command(program, arguments).run(timeout: .seconds(30))
        guard output.status == 0 else {
            throw NetworkError("test-command-failed", "\(program) \(arguments.joined(separator: " ")): \(output.stderrText)")
        }
        return output.stdoutText
    }

    /// `ip -o ARGS` inside the namespace file `netns`.
    static func ipInside(_ netns: String, _ arguments: [String]) throws -> String {
        try run("/usr/bin/nsenter", ["--net=" + netns, "/usr/sbin/ip", "-o"] + arguments)
    }

    static func linkExists(_ name: String) -> Bool {
        access("/sys/class/net/\(name)", F_OK) == 0
    }
}

/// The host's iptables rules (counters removed) and link names, to compare before and after a test.
struct HostSnapshot: Sendable {
    var rules: Set<String>
    var links: Set<String>

    static func take() throws -> HostSnapshot {
        let rules = try Host.run("/usr/sbin/iptables-save", []).split(separator: "\n").compactMap { line -> String? in
            guard !line.hasPrefix("#") else { return nil }
            // ":CHAIN POLICY [packets:bytes]" → ":CHAIN POLICY"
            if line.hasPrefix(":"), let bracket = line.lastIndex(of: "[") { return String(line[..<bracket]) }
            return String(line)
        }
        let links = try Host.run("/usr/sbin/ip", ["-o", "link"]).split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 1 else { return nil }
            return String(fields[1].dropLast().prefix { $0 != "@" })
        }
        return HostSnapshot(rules: Set(rules), links: Set(links))
    }

    /// Rules and links present now that were not `before` and that name one of `markers` (a subnet prefix,
    /// a container id, a bridge). Only marked lines count: other suites (the integration tests' own
    /// networks) add chains, rules and veths of their own in parallel, which are not this test's leaks.
    func leaks(since before: HostSnapshot, markers: [String]) -> [String] {
        let newRules = rules.subtracting(before.rules).filter { line in markers.contains { line.contains($0) } }
        let newLinks = links.subtracting(before.links).filter { link in markers.contains { link.contains($0) } }
        return newRules.sorted().map { "rule: \($0)" } + newLinks.sorted().map { "link: \($0)" }
    }
}

/// Runs `body` and returns its result with the wall-clock milliseconds it took.
func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let value = try body()
    let elapsed = ContinuousClock.now - start
    return (value, Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
}

/// A subnet written in a test (a literal known to be valid).
func cidr(_ text: String) -> IPv4Subnet {
    guard let subnet = IPv4Subnet(text) else { preconditionFailure("not a subnet literal: \(text)") }
    return subnet
}
