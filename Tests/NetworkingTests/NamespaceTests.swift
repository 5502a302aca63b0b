import BerthSystem
import Foundation
import Networking
import Testing

/// Netns files: created and removed idempotently, and the creating thread and process stay where they were.
struct NamespaceTests {
    static func currentNamespace(_ link: String) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) ?? "?"
    }

    @Test func createIsIdempotentLeavesTheCallerOutsideAndRemoveCleansUp() throws {
        if Host.skip("createIsIdempotentLeavesTheCallerOutsideAndRemoveCleansUp") { return }
        let scratch = try Scratch("netns")
        defer { scratch.finish() }
        let paths = try scratch.paths
        let container = try ContainerKey(project: "nettest", name: "ns")
        scratch.onFinish { try? NetworkNamespace.remove(for: container, paths: paths) }
        let processBefore = Self.currentNamespace("/proc/self/ns/net")
        let threadBefore = Self.currentNamespace("/proc/thread-self/ns/net")

        let path = try NetworkNamespace.create(for: container, paths: paths)
        #expect(path == paths.root + "/netns/nettest.ns")
        #expect(NetworkNamespace.isMounted(path))
        let created = Self.currentNamespace("/proc/self/ns/net")
        #expect(created == processBefore && Self.currentNamespace("/proc/thread-self/ns/net") == threadBefore)
        // A different namespace than the caller's, with only lo in it, up.
        let inside = try Host.ipInside(path, ["link"])
        #expect(inside.contains("lo:") && inside.contains("UP") && inside.split(separator: "\n").count == 1)
        let inode = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64
        let own = try FileManager.default.attributesOfItem(atPath: "/proc/self/ns/net")[.systemFileNumber] as? UInt64
        #expect(inode != own)

        // Again: the same namespace, not a second mount on top.
        #expect(try NetworkNamespace.create(for: container, paths: paths) == path)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64 == inode)
        #expect(MountTable.mountPoints(under: paths.netnsDirectory).count == 1)

        try NetworkNamespace.remove(for: container, paths: paths)
        #expect(access(path, F_OK) != 0 && MountTable.mountPoints(under: scratch.path).isEmpty)
        try NetworkNamespace.remove(for: container, paths: paths)
    }

    @Test func anUnmountedFileLeftByACrashIsMountedAgain() throws {
        if Host.skip("anUnmountedFileLeftByACrashIsMountedAgain") { return }
        let scratch = try Scratch("netns-crash")
        defer { scratch.finish() }
        let paths = try scratch.paths
        let container = try ContainerKey(project: "nettest", name: "crashed")
        scratch.onFinish { try? NetworkNamespace.remove(for: container, paths: paths) }
        try FileManager.default.createDirectory(atPath: paths.netnsDirectory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: try paths.netns(container), contents: nil)
        #expect(!NetworkNamespace.isMounted(try paths.netns(container)))
        #expect(NetworkNamespace.isMounted(try NetworkNamespace.create(for: container, paths: paths)))
    }
}

/// Hostile names are refused before any path is built or touched.
struct HostileNameTests {
    static let hostile = ["../x", "a/b", "", String(repeating: "a", count: 64), ".", "..", "A", "x\ny", "-x", "x\u{0}y"]

    @Test(arguments: hostile)
    func refusedBeforeAnyPathIsTouched(_ name: String) throws {
        let scratch = try Scratch("hostile")
        defer { scratch.finish() }
        let paths = try scratch.paths
        #expect(throws: NameError.self) { _ = try ContainerKey(project: name, name: "ok") }
        #expect(throws: NameError.self) { _ = try ContainerKey(project: "ok", name: name) }
        #expect(ContainerKey(id: "ok." + name) == nil)
        #expect(throws: NameError.self) { _ = try paths.conflist(name) }
        #expect(throws: (any Error).self) {
            _ = try NetworkSpec(name: name, bridgeName: "berth-test", subnet: cidr("10.213.99.0/24"))
        }
        #expect(throws: NetworkError.self) {
            _ = try NetworkSpec(name: "ok", bridgeName: name + "/../../x", subnet: cidr("10.213.99.0/24"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == [])
    }

    @Test func theNetworkDirectoryMustBeAbsolute() {
        #expect(throws: NetworkError.self) { _ = try NetworkPaths(root: "relative/network") }
    }
}
