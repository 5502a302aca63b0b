import Diagnostics
import Foundation
import Manifest
import OCI
import Testing

@testable import SpecBuilder

@Suite("Builder behaviour")
struct BuilderBehaviourTests {
    private func input(_ container: ContainerDefinition, rootfs: String) -> SpecInput {
        SpecInput(
            project: "p", stateRootID: "0123456789ab", container: ResolvedContainer(resolving: container), imageConfig: Fixtures.image(),
            rootfsPath: rootfs,
            hostHostname: "h", privilegedCapabilities: DefaultSpec.allCapabilities)
    }

    @Test func sameInputGivesSameBytesWhateverTheLabelOrder() throws {
        let dir = try TempDirectory("det")
        let rootfs = try Fixtures.rootfs(in: dir)
        var first = ContainerDefinition(name: "c", image: "img")
        var second = first
        var forward: [String: String] = [:]
        var backward: [String: String] = [:]
        let keys = (0..<50).map { "label.\($0)" }
        for key in keys { forward[key] = key.uppercased() }
        for key in keys.reversed() { backward[key] = key.uppercased() }
        first.labels = forward
        second.labels = backward
        let a = try SpecBuilder.encode(SpecBuilder.build(input(first, rootfs: rootfs)))
        let b = try SpecBuilder.encode(SpecBuilder.build(input(second, rootfs: rootfs)))
        #expect(a == b)
        #expect(a.last == 0x0A)
    }

    @Test func errorsCarryTheManifestLocation() throws {
        let dir = try TempDirectory("loc")
        let rootfs = try Fixtures.rootfs(in: dir)
        let location = Diagnostics.SourceLocation(file: "berth.yaml", line: 7, column: 11)
        var container = ContainerDefinition(name: "c", image: "img", user: "nobody-here")
        container.locations = FieldLocations(fields: ["user": location])
        let error = try #require(throws: SpecError.self) { try SpecBuilder.build(input(container, rootfs: rootfs)) }
        #expect(error.diagnostics.first?.location == location)
        #expect(error.diagnostics.first?.description.hasPrefix("berth.yaml:7:11: error: ") == true)
        #expect(error.category == .manifest)
    }

    @Test func mountDestinationsAreComparedAfterCleaningTheExistingOne() throws {
        let dir = try TempDirectory("clean")
        let rootfs = try Fixtures.rootfs(in: dir)
        var container = ContainerDefinition(name: "c", image: "img")
        container.mounts = [MountDefinition(type: "tmpfs", destination: "/run", options: ["size=1m"])]
        let spec = try SpecBuilder.build(input(container, rootfs: rootfs))
        let runMounts = (spec.mounts ?? []).filter { $0.destination == "/run" }
        #expect(runMounts.count == 1)
        #expect(runMounts.first?.options == ["size=1m"])
        #expect(SpecBuilder.cleanPath("/dev//shm/") == "/dev/shm")
        #expect(SpecBuilder.cleanPath("/a/./b/../c") == "/a/c")
    }

    @Test func symlinkLoopInRootfsIsAnErrorNotAHang() throws {
        let dir = try TempDirectory("loop")
        try dir.symlink("rootfs/etc/passwd", to: "/etc/passwd")
        var container = ContainerDefinition(name: "c", image: "img")
        container.user = "app"
        let error = try #require(throws: SpecError.self) {
            try SpecBuilder.build(input(container, rootfs: dir.path + "/rootfs"))
        }
        #expect(error.message.contains("too many symlinks"))
    }

    @Test func cpusBecomeAQuotaOverTheDefaultPeriod() throws {
        let dir = try TempDirectory("cpus")
        let rootfs = try Fixtures.rootfs(in: dir)
        var container = ContainerDefinition(name: "c", image: "img")
        container.cpus = 1.5
        let spec = try SpecBuilder.build(input(container, rootfs: rootfs))
        #expect(spec.linux?.resources?.cpu?.quota == 150_000)
        #expect(spec.linux?.resources?.cpu?.period == 100_000)
        // `cpus` ≤ 0 or too large for the kernel's quota and a bind mount without a source never get here: the
        // manifest validator refuses them (LoaderTests.cpusOutOfRangeAreRefusedWithTheirLocation).
    }
}
