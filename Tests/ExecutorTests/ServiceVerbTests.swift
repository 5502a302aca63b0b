import Foundation
import OCI
import Runtime
import State
import Testing
@testable import Executor
import Supervision

@Suite struct LogSelectionTests {
    static func record(_ time: String, _ text: String) -> LogRecord { LogRecord(time: time, stream: .stdout, text: text) }

    @Test func sinceKeepsRecordsAtOrAfterTheTimeThenTailKeepsTheLast() {
        let records = [
            Self.record("2024-05-01T10:00:00.000Z", "a"), Self.record("2024-05-01T10:00:01.000Z", "b"),
            Self.record("2024-05-01T10:00:02.000Z", "c"), Self.record("2024-05-01T10:00:03.000Z", "d"),
        ]
        #expect(LogSelection(since: "2024-05-01T10:00:01.000Z").apply(records).map(\.text) == ["b", "c", "d"])
        #expect(LogSelection(tail: 2).apply(records).map(\.text) == ["c", "d"])
        #expect(LogSelection(since: "2024-05-01T10:00:01.000Z", tail: 5).apply(records).map(\.text) == ["b", "c", "d"])
        #expect(LogSelection(tail: 0).apply(records).isEmpty)
        #expect(LogSelection().apply(records).count == 4)
    }

    @Test func interleavingOrdersByTimeAndKeepsEqualTimesInOrder() {
        let merged = LogSelection.interleaved([
            ("web", Self.record("2024-05-01T10:00:02.000Z", "w2")), ("web", Self.record("2024-05-01T10:00:02.000Z", "w3")),
            ("db", Self.record("2024-05-01T10:00:01.000Z", "d1")), ("db", Self.record("2024-05-01T10:00:03.000Z", "d2")),
            ("web", Self.record("2024-05-01T10:00:00.500Z", "w1")),
        ])
        #expect(merged.map(\.record.text) == ["w1", "d1", "w2", "w3", "d2"])
        #expect(merged.map(\.name) == ["web", "db", "web", "web", "db"])
    }

    struct SinceCase: CustomTestStringConvertible, Sendable {
        var text: String
        var expected: String?
        var testDescription: String { text }
    }

    static let now = Date(timeIntervalSince1970: 1_714_557_600)  // 2024-05-01T10:00:00Z

    static let sinceCases: [SinceCase] = [
        SinceCase(text: "10m", expected: "2024-05-01T09:50:00.000Z"),
        SinceCase(text: "2h", expected: "2024-05-01T08:00:00.000Z"),
        SinceCase(text: "1h30m", expected: "2024-05-01T08:30:00.000Z"),
        SinceCase(text: "90s", expected: "2024-05-01T09:58:30.000Z"),
        SinceCase(text: "1.5h", expected: "2024-05-01T08:30:00.000Z"),
        SinceCase(text: "2024-05-01T08:00:00Z", expected: "2024-05-01T08:00:00.000Z"),
        SinceCase(text: "2024-05-01T10:00:00+02:00", expected: "2024-05-01T08:00:00.000Z"),
        SinceCase(text: "2024-05-01T08:00:00.250Z", expected: "2024-05-01T08:00:00.250Z"),
        SinceCase(text: "2024-04-30", expected: "2024-04-30T00:00:00.000Z"),
        SinceCase(text: "", expected: nil),
        SinceCase(text: "10", expected: nil),
        SinceCase(text: "10x", expected: nil),
        SinceCase(text: "m", expected: nil),
        SinceCase(text: "yesterday", expected: nil),
        SinceCase(text: "2024-13-01T00:00:00Z", expected: nil),
    ]

    @Test(arguments: sinceCases)
    func sinceValues(_ c: SinceCase) {
        #expect(LogSelection.sinceTime(c.text, now: Self.now) == c.expected)
    }
}

@Suite struct ExecProcessTests {
    static func spec() -> RuntimeSpec {
        var spec = RuntimeSpec(ociVersion: RuntimeSpec.version)
        spec.process = OCIProcess(
            terminal: false, user: OCIUser(uid: 0, gid: 0, additionalGids: [0, 10]), args: ["sh", "-c", "sleep 300"],
            env: ["PATH=/usr/bin:/bin", "FOO=bar"], cwd: "/srv",
            capabilities: OCICapabilities(bounding: ["CAP_KILL"]), noNewPrivileges: true)
        return spec
    }

    static func rootfs() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-execfs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/etc", withIntermediateDirectories: true)
        try Data("root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n".utf8)
            .write(to: URL(fileURLWithPath: dir + "/etc/passwd"))
        try Data("root:x:0:\nstaff:x:50:app\napp:x:1000:\n".utf8).write(to: URL(fileURLWithPath: dir + "/etc/group"))
        return dir
    }

    @Test func keepsTheContainersProcessAndAppliesTheOptions() throws {
        let rootfs = try Self.rootfs()
        defer { try? FileManager.default.removeItem(atPath: rootfs) }
        let process = try ContainerExec.process(
            from: Self.spec(),
            options: ExecOptions(command: ["id"], user: "app", workingDirectory: "/tmp", environment: ["FOO=baz", "NEW=1"]),
            rootfsPath: rootfs)
        #expect(process.args == ["id"])
        #expect(process.user.uid == 1000 && process.user.gid == 1000)
        #expect(process.user.additionalGids == [1000, 50])
        #expect(process.cwd == "/tmp")
        #expect(process.env == ["PATH=/usr/bin:/bin", "FOO=baz", "NEW=1"])
        #expect(process.terminal == false)
        #expect(process.capabilities?.bounding == ["CAP_KILL"])
        #expect(process.noNewPrivileges == true)
    }

    @Test func withoutOptionsTheContainersUserCwdAndEnvStay() throws {
        let process = try ContainerExec.process(from: Self.spec(), options: ExecOptions(command: ["true"], tty: true), rootfsPath: "/nonexistent")
        #expect(process.user == OCIUser(uid: 0, gid: 0, additionalGids: [0, 10]))
        #expect(process.cwd == "/srv")
        #expect(process.terminal == true)
        #expect(process.env == ["PATH=/usr/bin:/bin", "FOO=bar", "TERM=xterm"])
    }

    @Test func numericUserAndGroupNeedNoPasswd() throws {
        let process = try ContainerExec.process(
            from: Self.spec(), options: ExecOptions(command: ["id"], user: "4242:4343"), rootfsPath: "/nonexistent")
        #expect(process.user.uid == 4242 && process.user.gid == 4343)
    }

    @Test func anUnknownUserNameIsAnErrorNamingIt() throws {
        let rootfs = try Self.rootfs()
        defer { try? FileManager.default.removeItem(atPath: rootfs) }
        let error = #expect(throws: (any Error).self) {
            try ContainerExec.process(from: Self.spec(), options: ExecOptions(command: ["id"], user: "nosuch"), rootfsPath: rootfs)
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("nosuch"))
    }

    @Test func statusTextAsPsWordsIt() {
        var record = ContainerRecord(
            project: "p", name: "web", runtimeID: "p.web", configHash: "h", snapshotter: "overlayfs", snapshotKey: "p.web", bundlePath: "/b",
            runtimeBinary: "/usr/sbin/runc", status: .exited, createdAt: "t")
        record.exitCode = 0
        #expect(ContainerExec.statusText(record) == "exited (0)")
        record.status = .stopped
        #expect(ContainerExec.statusText(record) == "stopped")
        record.status = .failed
        record.failure = "no such image"
        #expect(ContainerExec.statusText(record) == "failed: no such image")
    }
}

@Suite struct ContainerStatsTests {
    @Test func cpuIsTheShareOfWallTimeAndMemoryOfTheLimit() {
        let before = Cgroup.Sample(cpuNanoseconds: 1_000_000_000, memoryBytes: 100, memoryLimit: nil, pids: 1)
        let after = Cgroup.Sample(cpuNanoseconds: 1_500_000_000, memoryBytes: 1 << 20, memoryLimit: 4 << 20, pids: 3)
        let stats = ContainerStats.compute(name: "web", previous: before, current: after, seconds: 2, hostMemory: 1 << 30)
        #expect(stats.cpuPercent == 25)
        #expect(stats.memoryBytes == 1 << 20 && stats.memoryLimitBytes == 4 << 20)
        #expect(stats.memoryPercent == 25)
        #expect(stats.pids == 3)
    }

    @Test func withoutALimitTheHostsMemoryIsTheLimitAndTheFirstReadingHasNoCPU() {
        let sample = Cgroup.Sample(cpuNanoseconds: 5, memoryBytes: 1 << 29, memoryLimit: nil, pids: 1)
        let stats = ContainerStats.compute(name: "db", previous: nil, current: sample, seconds: 1, hostMemory: 1 << 30)
        #expect(stats.cpuPercent == nil)
        #expect(stats.memoryLimitBytes == 1 << 30 && stats.memoryPercent == 50)
    }

    @Test func humanBytes() {
        #expect(ContainerStats.humanBytes(0) == "0B")
        #expect(ContainerStats.humanBytes(1023) == "1023B")
        #expect(ContainerStats.humanBytes(1536) == "1.5KiB")
        #expect(ContainerStats.humanBytes(749_568) == "732KiB")
        #expect(ContainerStats.humanBytes(25_276_203_008) == "23.54GiB")
    }
}
