import Foundation
import Testing
@testable import Supervision

private func scratch() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-exec-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite struct ContainerLogTests {
    @Test func linesAreSplitPerStreamAndPartialLinesWaitForTheirEnd() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/c.log"
        let writer = try LogWriter(path: path)
        let reader = LogReader(path: path)
        writer.append(Data("one\ntw".utf8), stream: .stdout)
        writer.append(Data("oops\n".utf8), stream: .stderr)
        #expect(reader.readNew().map(\.text) == ["one", "oops"])
        writer.append(Data("o\nthree".utf8), stream: .stdout)
        writer.flush()
        let rest = reader.readNew()
        #expect(rest.map(\.text) == ["two", "three"])
        #expect(rest.allSatisfy { $0.stream == .stdout })
        #expect(reader.readNew().isEmpty)
    }

    /// A reader keeps its log open between reads; a log made anew under the same path (the container replaced
    /// while `logs -f` follows it) is read from its start, and a missing one reads as empty.
    @Test func aReplacedLogIsReadFromItsStart() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/c.log"
        let reader = LogReader(path: path)
        #expect(reader.readNew().isEmpty)
        let first = try LogWriter(path: path)
        first.append(Data("old run, a long first line\n".utf8), stream: .stdout)
        first.flush()
        #expect(reader.readNew().map(\.text) == ["old run, a long first line"])
        try FileManager.default.removeItem(atPath: path)
        #expect(reader.readNew().isEmpty)
        let second = try LogWriter(path: path)
        second.append(Data("new\n".utf8), stream: .stderr)
        second.flush()
        #expect(reader.readNew().map(\.text) == ["new"])
    }

    @Test func recordsAreOneJSONObjectPerLine() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/c.log"
        let writer = try LogWriter(path: path)
        writer.append(Data("a \"quoted\" line\n".utf8), stream: .stderr)
        writer.flush()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 1)
        let object = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: String]
        #expect(object?["stream"] == "stderr")
        #expect(object?["text"] == "a \"quoted\" line")
        #expect(object?["time"]?.hasSuffix("Z") == true)
    }

    @Test func timestampsAreRFC3339UTCWithMillisecondsAndMatchTheClock() throws {
        let text = Timestamp.now()
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = try #require(formatter.date(from: text))
        #expect(text.count == "2026-01-02T03:04:05.678Z".count)
        #expect(abs(date.timeIntervalSinceNow) < 5)
    }
}

@Suite struct MonitorFailureTests {
    @Test func runtimeErrorMessageIsTakenFromItsJSONLog() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/runtime.log"
        try Data(
            """
            {"level":"info","msg":"starting","time":"t"}
            {"level":"error","msg":"runc run failed: exec: \\"nosuch\\": executable file not found in $PATH","time":"t"}

            """.utf8
        ).write(to: URL(fileURLWithPath: log))
        #expect(Monitor.runtimeFailure(runtimeLog: log, status: 1).contains("executable file not found"))
        #expect(Monitor.runtimeFailure(runtimeLog: dir + "/absent", status: 1).contains("status 1"))
    }
}
