import Manifest
import OCI
import Testing

@testable import SpecBuilder

/// The planner's decisions for one definition: defaults filled in, ctr's rules applied, empty values dropped.
@Suite struct ResolvedContainerTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var edit: @Sendable (inout ContainerDefinition) -> Void
        var check: @Sendable (ResolvedContainer) -> Bool
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "image container roots in the bundle", edit: { _ in }) {
            $0.rootPath == "rootfs" && !$0.usesHostRootfs && $0.cpuQuota == nil && $0.args == nil
        },
        Case(
            name: "rootfs container roots at its directory",
            edit: {
                $0.image = nil; $0.rootfs = "/srv/root"
            }
        ) {
            $0.rootPath == "/srv/root" && $0.usesHostRootfs
        },
        Case(
            name: "empty args, cwd and hostname leave the image's",
            edit: {
                $0.args = []; $0.cwd = ""; $0.hostname = ""
            }
        ) {
            $0.args == nil && $0.cwd == nil && $0.hostname == nil
        },
        Case(name: "cpus become a quota in whole µs", edit: { $0.cpus = 0.333333 }) { $0.cpuQuota == 33_333 },
        Case(name: "cpus beyond Int64 are left out, never a trap", edit: { $0.cpus = 1e300 }) { $0.cpuQuota == nil },
        Case(name: "non-finite cpus are left out", edit: { $0.cpus = .nan }) { $0.cpuQuota == nil },
        Case(
            name: "a bind without bind or rbind becomes recursive",
            edit: { $0.mounts = [MountDefinition(type: "bind", source: "/a", destination: "/b", options: ["ro"])] }
        ) { $0.mounts == [OCIMount(destination: "/b", type: "bind", source: "/a", options: ["rbind", "ro"])] },
        Case(
            name: "an explicit bind stays non-recursive",
            edit: { $0.mounts = [MountDefinition(type: "bind", source: "/a", destination: "/b", options: ["bind"])] }
        ) { $0.mounts == [OCIMount(destination: "/b", type: "bind", source: "/a", options: ["bind"])] },
        Case(
            name: "a tmpfs without source is sourced by its type",
            edit: { $0.mounts = [MountDefinition(type: "tmpfs", source: nil, destination: "/t", options: [])] }
        ) { $0.mounts == [OCIMount(destination: "/t", type: "tmpfs", source: "tmpfs", options: [])] },
        Case(
            name: "tty, net-host, privileged, no-pivot carried",
            edit: {
                $0.tty = true; $0.netHost = true; $0.privileged = true; $0.noPivot = true
            }
        ) {
            $0.terminal && $0.hostNetwork && $0.privileged && $0.noPivot
        },
    ]

    @Test(arguments: cases)
    func resolves(_ testCase: Case) {
        var definition = ContainerDefinition(name: "web", image: "berth.local/busybox:demo")
        testCase.edit(&definition)
        let resolved = ResolvedContainer(resolving: definition)
        #expect(testCase.check(resolved), "\(resolved)")
        #expect(resolved.name == "web")
    }
}
