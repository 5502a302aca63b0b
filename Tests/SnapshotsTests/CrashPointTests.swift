import Foundation
import ImageStore
import Testing
@testable import Snapshots

/// Crashes an unpack for real: the test binary runs itself with `BERTH_CRASH_AT` set, and the
/// helper below unpacks in that child process until it exits at the crash point.
@Suite(.serialized) struct CrashPointTests {
    static let helperVariable = "BERTH_TEST_CRASH_HELPER_DIR"

    /// Child-process side: does the unpack when started by `crash(at:)`; in a normal run it checks it was not asked to.
    @Test func crashHelper() throws {
        guard let dir = ProcessInfo.processInfo.environment[Self.helperVariable] else {
            #expect(ProcessInfo.processInfo.environment["BERTH_CRASH_AT"] == nil)
            return
        }
        let store = try ImageStore(root: dir + "/store")
        let snapshots = try SnapshotStore(root: dir + "/snapshots", snapshotter: .overlayfs)
        try snapshots.unpack(try store.resolve("berth.local/three:1"), from: store)
    }

    func crash(at point: String, dir: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = ["--testing-library", "swift-testing", "--filter", "CrashPointTests/crashHelper"]
        var environment = ProcessInfo.processInfo.environment
        environment["BERTH_CRASH_AT"] = point
        environment[Self.helperVariable] = dir
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test func crashBeforeCommitLeavesNothingCountedAsDone() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let store = try ImageStore(root: scratch.path + "/store")
        let image = try makeImage(store, scratch: scratch, name: "berth.local/three:1", layers: SnapshotStoreTests.layers)
        #expect(try crash(at: "unpack-before-commit", dir: scratch.path) == 86)
        let snapshots = try SnapshotStore(root: scratch.path + "/snapshots", snapshotter: .overlayfs)
        #expect(!scratch.tree("snapshots/overlayfs/tmp").isEmpty)
        #expect(scratch.tree("snapshots/overlayfs/layers").isEmpty)
        #expect(try snapshots.pendingLayers(for: image).count == 3)
        #expect(try snapshots.unpack(image, from: store).count == 3)
        #expect(scratch.tree("snapshots/overlayfs/tmp").isEmpty)
    }

    @Test func crashAfterFirstCommitKeepsThatLayer() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let store = try ImageStore(root: scratch.path + "/store")
        let image = try makeImage(store, scratch: scratch, name: "berth.local/three:1", layers: SnapshotStoreTests.layers)
        #expect(try crash(at: "unpack-after-commit", dir: scratch.path) == 86)
        let snapshots = try SnapshotStore(root: scratch.path + "/snapshots", snapshotter: .overlayfs)
        #expect(try snapshots.pendingLayers(for: image).map(\.index) == [1, 2])
        #expect(try snapshots.unpack(image, from: store).map(\.index) == [1, 2])
    }
}
