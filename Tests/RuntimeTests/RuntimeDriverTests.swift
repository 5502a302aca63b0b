import Foundation
import Testing
@testable import Runtime

@Suite struct RuntimeDriverArgumentTests {
    let driver = RuntimeDriver(binary: "/usr/sbin/runc", root: "/state/runtime")

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var build: @Sendable (RuntimeDriver) -> [String]
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "create", build: { $0.createArguments(id: "p.web", .init(bundle: "/b", pidFile: "/b/pid")) },
            expected: ["--root", "/state/runtime", "create", "--bundle", "/b", "--pid-file", "/b/pid", "p.web"]),
        Case(
            name: "create no-pivot", build: { $0.createArguments(id: "x", .init(bundle: "/b", noPivot: true)) },
            expected: ["--root", "/state/runtime", "create", "--bundle", "/b", "--no-pivot", "x"]),
        Case(
            name: "run", build: { $0.runArguments(id: "x", .init(bundle: "/b", pidFile: "/p")) },
            expected: ["--root", "/state/runtime", "run", "--bundle", "/b", "--pid-file", "/p", "x"]),
        Case(name: "start", build: { $0.startArguments(id: "x") }, expected: ["--root", "/state/runtime", "start", "x"]),
        Case(
            name: "exec", build: { $0.execArguments(id: "p.web", processFile: "/proc/self/fd/5") },
            expected: ["--root", "/state/runtime", "exec", "--process", "/proc/self/fd/5", "p.web"]),
        Case(
            name: "exec with flags",
            build: { $0.execArguments(id: "p.web", command: ["sh", "-c", "x", "--tty"], tty: true, cwd: "/tmp", env: ["A=1", "B=2"]) },
            expected: [
                "--root", "/state/runtime", "exec", "--tty", "--cwd", "/tmp", "--env", "A=1", "--env", "B=2", "p.web", "sh", "-c", "x", "--tty",
            ]),
        Case(
            name: "exec plain", build: { $0.execArguments(id: "p.web", command: ["true"], tty: false, cwd: nil, env: []) },
            expected: ["--root", "/state/runtime", "exec", "p.web", "true"]),
        Case(name: "state", build: { $0.stateArguments(id: "x") }, expected: ["--root", "/state/runtime", "state", "x"]),
        Case(name: "list", build: { $0.listArguments() }, expected: ["--root", "/state/runtime", "list", "--format", "json"]),
        Case(
            name: "kill all", build: { $0.killArguments(id: "x", signal: "KILL", all: true) },
            expected: ["--root", "/state/runtime", "kill", "--all", "x", "KILL"]),
        Case(
            name: "delete force", build: { $0.deleteArguments(id: "x", force: true) },
            expected: ["--root", "/state/runtime", "delete", "--force", "x"]),
        Case(
            name: "checkpoint", build: { $0.checkpointArguments(id: "x", .init(imagePath: "/i", workPath: "/w", leaveRunning: true)) },
            expected: ["--root", "/state/runtime", "checkpoint", "--image-path", "/i", "--work-path", "/w", "--leave-running", "x"]),
        Case(
            name: "restore", build: { $0.restoreArguments(id: "x", .init(bundle: "/b", imagePath: "/i", pidFile: "/p")) },
            expected: ["--root", "/state/runtime", "restore", "--bundle", "/b", "--image-path", "/i", "--pid-file", "/p", "--detach", "x"]),
    ]

    @Test(arguments: cases)
    func argv(_ c: Case) {
        #expect(c.build(driver) == c.expected)
    }

    @Test func logFlagsComeBeforeTheVerb() {
        let logging = RuntimeDriver(binary: "/usr/sbin/runc", root: "/r", logFile: "/l.json")
        #expect(logging.startArguments(id: "x") == ["--root", "/r", "--log", "/l.json", "--log-format", "json", "start", "x"])
    }
}

@Suite struct RuntimeMessageTests {
    @Test func lastJSONMessageWins() {
        let stderr = """
            {"level":"warning","msg":"first","time":"t"}
            {"level":"error","msg":"container \\"x\\" does not exist","time":"t"}
            """
        let result = CommandResult(status: 1, stdout: Data(), stderr: Data(stderr.utf8))
        #expect(RuntimeDriver.runtimeMessage(result) == "container \"x\" does not exist")
    }

    @Test func plainTextFallsBackToLastLine() {
        let result = CommandResult(status: 1, stdout: Data(), stderr: Data("oops\nreal reason\n".utf8))
        #expect(RuntimeDriver.runtimeMessage(result) == "real reason")
    }

    @Test func silentFailureNamesTheStatus() {
        let result = CommandResult(status: 3, stdout: Data(), stderr: Data())
        #expect(RuntimeDriver.runtimeMessage(result) == "exit status 3")
    }
}

@Suite struct RuntimeBinaryTests {
    @Test func containerdRuntimeNameMeansRunc() {
        #expect(RuntimeBinary.programName(for: "io.containerd.runc.v2") == "runc")
        #expect(RuntimeBinary.programName(for: "crun") == "crun")
    }

    @Test func findsProgramsInSearchPath() throws {
        #expect(try RuntimeBinary.locate("sh", searchPath: "/nonexistent:/bin") == "/bin/sh")
    }

    @Test func missingRuntimeIsAClearError() {
        #expect {
            try RuntimeBinary.locate("no-such-runtime", searchPath: "/bin")
        } throws: { error in
            guard let error = error as? RuntimeError else { return false }
            return error.errorCode == .notFound && error.message.contains("no-such-runtime")
        }
    }

    @Test func relativeOrNonExecutableAbsolutePathIsRejected() {
        #expect(throws: RuntimeError.self) { try RuntimeBinary.locate("/etc/passwd") }
    }
}

/// Records the command lines it is asked to run and answers `runc state` for a running container.
final class RecordingRunner: CommandRunner, @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [[String]] = []
    var calls: [[String]] { lock.withLock { lines } }

    func run(_ executable: String, _ arguments: [String]) throws -> CommandResult {
        lock.withLock { lines.append(arguments) }
        let state =
            #"{"ociVersion":"1.0.2","id":"p.c","pid":42,"status":"running","bundle":"/b","rootfs":"/b/rootfs","created":"2026-01-01T00:00:00Z"}"#
        return CommandResult(status: 0, stdout: Data(state.utf8), stderr: Data())
    }
}

/// `state` asks the runtime only when the runtime's root holds a directory for the id.
@Suite struct RuntimeStateShortcutTests {
    @Test func anIdWithoutADirectoryIsNotAskedFor() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("berth-state-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let runner = RecordingRunner()
        let driver = RuntimeDriver(binary: "/usr/sbin/runc", root: root, runner: runner)
        #expect(try driver.state(id: "p.c") == nil)
        #expect(runner.calls.isEmpty, "the runtime was started for a missing root")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        #expect(try driver.state(id: "p.c") == nil)
        #expect(runner.calls.isEmpty, "the runtime was started for a missing container directory")
        try FileManager.default.createDirectory(atPath: root + "/p.c", withIntermediateDirectories: true)
        #expect(try driver.state(id: "p.c")?.pid == 42)
        #expect(runner.calls.count == 1 && runner.calls[0].contains("state"))
    }
}

/// Against the real runc installed on this machine, with a scratch `--root`.
@Suite struct RealRuntimeTests {
    @Test func emptyRootListsNothingAndUnknownStateIsNil() throws {
        let binary = try RuntimeBinary.locate("runc")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("berth-runc-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let driver = RuntimeDriver(binary: binary, root: root)
        #expect(try driver.list().isEmpty)
        #expect(try driver.state(id: "absent") == nil)
    }

    @Test func failureCarriesTheRuntimesOwnMessage() throws {
        let binary = try RuntimeBinary.locate("runc")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("berth-runc-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let driver = RuntimeDriver(binary: binary, root: root)
        #expect {
            try driver.kill(id: "absent")
        } throws: { error in
            guard let error = error as? RuntimeError else { return false }
            return error.errorCode == .commandFailed && error.message.contains("absent")
        }
    }
}

@Suite struct ProcessRunnerTests {
    @Test func keepsStdoutAndStderrApartAndReportsStatus() throws {
        let result = try ProcessRunner().run("/bin/sh", ["-c", "echo out; echo err >&2; exit 7"])
        #expect(result.status == 7)
        #expect(result.stdoutText == "out\n")
        #expect(result.stderrText == "err\n")
    }

    @Test func largeOutputOnBothStreamsDoesNotBlock() throws {
        let result = try ProcessRunner().run("/bin/sh", ["-c", "head -c 300000 /dev/zero; head -c 300000 /dev/zero >&2"])
        #expect(result.stdout.count == 300_000)
        #expect(result.stderr.count == 300_000)
    }
}
