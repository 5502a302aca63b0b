import ArgumentParser
import Executor
import Foundation
import State
import Testing
@testable import BerthCLI
import Supervision

@Suite struct LogPrinterTests {
    let record = LogRecord(time: "2024-05-01T10:00:00.000Z", stream: .stdout, text: "ready")

    @Test func prefixesArePaddedToTheLongestName() {
        let printer = LogPrinter(names: ["web", "database"], prefixed: true, timestamps: false, color: false)
        #expect(printer.line(record, of: "web") == "web      | ready\n")
        #expect(printer.line(record, of: "database") == "database | ready\n")
    }

    @Test func oneNamedContainerHasNoPrefixAndTimestampsComeAfterThePrefix() {
        #expect(
            LogPrinter(names: ["web"], prefixed: false, timestamps: true, color: false).line(record, of: "web") == "2024-05-01T10:00:00.000Z ready\n")
        #expect(
            LogPrinter(names: ["web"], prefixed: true, timestamps: true, color: false).line(record, of: "web")
                == "web | 2024-05-01T10:00:00.000Z ready\n")
    }

    @Test func colorsOnlyWhenAskedAndOnePerContainer() {
        let printer = LogPrinter(names: ["a", "b"], prefixed: true, timestamps: false, color: true)
        #expect(printer.line(record, of: "a") == "\u{1B}[36ma | \u{1B}[0mready\n")
        #expect(printer.line(record, of: "b") == "\u{1B}[33mb | \u{1B}[0mready\n")
        #expect(!LogPrinter(names: ["a", "b"], prefixed: true, timestamps: false, color: false).line(record, of: "a").contains("\u{1B}"))
    }
}

@Suite struct ServiceCommandParsingTests {
    @Test func execTakesItsOptionsBeforeTheTerminatorAndTheCommandAfter() throws {
        let exec = try Exec.parse(["web", "-u", "app", "-w", "/tmp", "-e", "A=1", "-e", "B=2", "-i", "--", "sh", "-c", "ls -l", "-u"])
        #expect(exec.name == "web")
        #expect(exec.user == "app" && exec.workdir == "/tmp" && exec.env == ["A=1", "B=2"] && exec.interactive && !exec.tty)
        #expect(exec.commandLine == ["sh", "-c", "ls -l", "-u"])
    }

    /// The fast reading of exec's command line gives what ArgumentParser gives, or leaves the line to it.
    static let fastLines: [[String]] = [
        ["web", "--", "true"],
        ["-p", "proj", "web", "-u", "app", "-w", "/tmp", "-e", "A=1", "--env", "B=2", "-i", "--", "sh", "-c", "ls -l", "-u"],
        ["--state-root", "/s", "--project-name", "proj", "--file", "x.yaml", "web", "--user", "1:2", "--workdir", "/", "--", "id"],
        ["-f", "x.yaml", "web", "--interactive", "--", "cat"],
    ]

    @Test(arguments: fastLines)
    func fastReadingAgreesWithArgumentParser(_ line: [String]) throws {
        let fast = try #require(ExecInvocation(fastParsing: line))
        #expect(fast == (try Exec.parse(line)).invocation)
    }

    static let slowLines: [[String]] = [
        ["web"], ["web", "ls"], ["-h", "web", "--", "id"], ["--user=app", "web", "--", "id"], ["web", "extra", "--", "id"],
        ["web", "-x", "--", "id"], ["../x", "--", "id"], ["-p", "../../etc", "web", "--", "id"], ["web", "-w", "tmp", "--", "id"],
        ["web", "-u", "--", "id"], ["web", "--"],
    ]

    @Test(arguments: slowLines)
    func unusualOrInvalidLinesAreLeftToArgumentParser(_ line: [String]) {
        #expect(ExecInvocation(fastParsing: line) == nil)
    }

    struct BadCase: CustomTestStringConvertible, Sendable {
        var name: String
        var arguments: [String]
        var testDescription: String { name }
    }

    static let badExec: [BadCase] = [
        BadCase(name: "no command", arguments: ["web"]),
        BadCase(name: "command without --", arguments: ["web", "ls"]),
        BadCase(name: "hostile container name", arguments: ["../x", "--", "id"]),
        BadCase(name: "hostile project", arguments: ["-p", "../../etc", "web", "--", "id"]),
        BadCase(name: "relative workdir", arguments: ["web", "-w", "tmp", "--", "id"]),
        BadCase(name: "env without key", arguments: ["web", "-e", "=x", "--", "id"]),
        BadCase(name: "empty user", arguments: ["web", "-u", "", "--", "id"]),
    ]

    @Test(arguments: badExec)
    func execRefuses(_ c: BadCase) {
        #expect(throws: (any Error).self) { try Exec.parse(c.arguments) }
    }

    @Test func logsDashFFollowsAndTheManifestIsDashDashFile() throws {
        let logs = try Logs.parse(["-f", "--file", "other.yaml", "--tail", "3", "--since", "10m", "web", "db"])
        #expect(logs.follow && logs.project.file == "other.yaml" && logs.tail == 3 && logs.names == ["web", "db"])
        // `-f` takes no value here: what follows it is a container name, never the manifest.
        let followed = try Logs.parse(["-f", "web"])
        #expect(followed.follow && followed.names == ["web"] && followed.project.file == "berth.yaml")
        #expect(throws: (any Error).self) { try Logs.parse(["--since", "soon"]) }
        #expect(throws: (any Error).self) { try Logs.parse(["../x"]) }
    }

    @Test func otherCommandsKeepDashFForTheManifest() throws {
        #expect(try Restart.parse(["-f", "x.yaml", "web"]).manifest.file == "x.yaml")
        #expect(try Kill.parse(["-f", "x.yaml", "-s", "TERM"]).signal == "TERM")
        #expect(throws: (any Error).self) { try Kill.parse(["-s", "NOPE"]) }
        #expect(throws: (any Error).self) { try Remove.parse(["-p", "../../etc"]) }
        #expect(throws: (any Error).self) { try Inspect.parse(["a/b"]) }
        #expect(throws: (any Error).self) { try Top.parse(["..\n"]) }
        #expect(throws: (any Error).self) { try Stats.parse(["-p", "ETC"]) }
    }

    /// One `-t/--timeout` rule for every command that stops containers: a number of seconds, 0 or more.
    @Test(arguments: ["--timeout=-1", "--timeout=inf", "--timeout=nan", "--timeout=ten"])
    func stopTimeoutsOutsideTheRuleAreRefused(_ option: String) throws {
        #expect(throws: (any Error).self) { try Stop.parse([option]) }
        #expect(throws: (any Error).self) { try Restart.parse([option]) }
        #expect(throws: (any Error).self) { try Down.parse([option]) }
        #expect(try Down.parse(["-t", "0"]).stopTimeout.timeout == 0)
        #expect(try Stop.parse(["-t", "2.5", "web"]).stopTimeout.timeout == 2.5)
    }

    @Test func statsTableShowsDashesForWhatCouldNotBeRead() {
        let table = Stats.table([
            ContainerStats(name: "web", cpuPercent: 12.345, memoryBytes: 1536, memoryLimitBytes: 1 << 30, memoryPercent: 0.5, pids: 2),
            ContainerStats(name: "db"),
        ])
        #expect(table[1] == ["web", "12.35%", "1.5KiB / 1GiB", "0.50%", "2"])
        #expect(table[2] == ["db", "-", "- / -", "-", "-"])
    }

    @Test func projectLookupWithoutManifestListsKnownProjects() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try Context.project(named: "given", file: "berth.yaml", state: nil, directory: dir) == "given")
        let error = #expect(throws: CLIError.self) { try Context.project(named: nil, file: "berth.yaml", state: nil, directory: dir) }
        #expect(error?.message.contains("-p PROJECT") == true)
        #expect(error?.message.contains("projects") == false, "no state: nothing to list")
        let state = try StateStore(path: dir + "/state.db")
        let empty = #expect(throws: CLIError.self) { try Context.project(named: nil, file: "berth.yaml", state: state, directory: dir) }
        #expect(empty?.message.contains("no project has containers") == true)
        try state.save(
            ContainerRecord(
                project: "shop", name: "web", runtimeID: "shop.web", configHash: "h", snapshotter: "overlayfs", snapshotKey: "shop.web",
                bundlePath: "/b", runtimeBinary: "/usr/sbin/runc", status: .exited, createdAt: "t"),
            manifestPath: "/m/berth.yaml")
        let listed = #expect(throws: CLIError.self) { try Context.project(named: nil, file: "berth.yaml", state: state, directory: dir) }
        #expect(listed?.message.hasSuffix("(known projects: shop)") == true, "\(listed?.message ?? "")")
        // A --file that is not there is the manifest loader's error, not the lookup's.
        #expect(throws: (any Error).self) { try Context.project(named: nil, file: "other.yaml", state: state, directory: dir) }
    }
}
