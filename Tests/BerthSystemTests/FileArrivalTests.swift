import BerthSystem
import Foundation
import Testing

/// Waiting for a file a child renames into place (runc's pid file), without looking for it every millisecond.
struct FileArrivalTests {
    private func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-arrival-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    private func number(_ path: String) -> Int32? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    @Test func aFileRenamedIntoPlaceIsSeenWhileTheChildRuns() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let child = try Command("/bin/sh", ["-c", "sleep 0.3; echo 4242 > \(dir)/.pid.tmp; mv \(dir)/.pid.tmp \(dir)/pid; sleep 30"])
            .start(captureOutput: false)
        defer {
            kill(child.pid, SIGKILL)
            _ = child.wait()
        }
        var reads = 0
        let value = FileArrival.wait(for: dir + "/pid", while: child) { path in
            reads += 1
            return number(path)
        }
        #expect(value == 4242)
        #expect(!child.hasEnded())
        // Woken by the directory's changes (and a 100 ms safety timeout), not every millisecond for 300 ms.
        #expect(reads < 30)
    }

    @Test func aChildThatEndsWithoutTheFileGivesNil() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let child = try Command("/bin/sh", ["-c", "sleep 0.2; exit 3"]).start(captureOutput: false)
        let start = ContinuousClock.now
        let value = FileArrival.wait(for: dir + "/pid", while: child, read: number)
        #expect(value == nil)
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(child.wait() == 3)
    }

    @Test func aFileThatIsAlreadyThereIsReadAtOnce() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "17\n".write(toFile: dir + "/pid", atomically: true, encoding: .utf8)
        let child = try Command("/bin/sleep", ["30"]).start(captureOutput: false)
        defer {
            kill(child.pid, SIGKILL)
            _ = child.wait()
        }
        #expect(FileArrival.wait(for: dir + "/pid", while: child, read: number) == 17)
    }
}
