import BerthSystem
import Foundation
import Synchronization
import Testing

/// Children run with `Command`: input, environment, separate outputs, launch failures.
struct CommandTests {
    @Test func inputReachesStandardInput() throws {
        let output = try Command("/bin/cat", input: Data("registry.example\n".utf8)).run()
        #expect(output.status == 0)
        #expect(output.stdoutText == "registry.example\n")
    }

    @Test func inputLargerThanAPipeBufferIsPassedWhole() throws {
        let input = Data(repeating: 0x61, count: 300_000)
        let output = try Command("/usr/bin/wc", ["-c"], input: input).run()
        #expect(output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "300000")
    }

    @Test func withoutInputStandardInputIsEmpty() throws {
        #expect(try Command("/bin/cat").run().stdout.isEmpty)
    }

    @Test func environmentReplacesTheParents() throws {
        let output = try Command("/usr/bin/env", environment: ["B": "2", "A": "1"]).run()
        #expect(output.stdoutText == "A=1\nB=2\n")
    }

    @Test func outputsAreKeptApartAndTheStatusIsReturned() throws {
        let output = try Command("/bin/sh", ["-c", "echo out; echo err >&2; exit 7"]).run()
        #expect(output == Command.Output(status: 7, stdout: Data("out\n".utf8), stderr: Data("err\n".utf8)))
    }

    @Test func aChildWithinItsTimeoutIsReadAsUsual() throws {
        let output = try Command("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"]).run(timeout: .seconds(10))
        #expect(output == Command.Output(status: 3, stdout: Data("out\n".utf8), stderr: Data("err\n".utf8)))
    }

    @Test func aChildPastItsTimeoutIsKilled() {
        let start = ContinuousClock.now
        let error = #expect(throws: SystemCallError.self) { try Command("/bin/sleep", ["30"]).run(timeout: .milliseconds(200)) }
        #expect(error?.errno == ETIMEDOUT)
        #expect(error?.what.hasPrefix("/bin/sleep did not finish within") == true)
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    /// A child that closes its outputs but keeps running is still bounded by the timeout.
    @Test func aChildThatClosesItsPipesIsStillTimed() {
        let error = #expect(throws: SystemCallError.self) {
            try Command("/bin/sh", ["-c", "exec >&- 2>&-; sleep 30"]).run(timeout: .milliseconds(200))
        }
        #expect(error?.errno == ETIMEDOUT)
    }

    @Test func aMissingProgramIsALaunchError() {
        let error = #expect(throws: SystemCallError.self) { try Command("/no/such/program").run() }
        #expect(error?.description == "cannot start /no/such/program: No such file or directory")
    }
}

/// The worker-thread pool: every index once, never more than the limit at a time.
struct WorkerThreadsTests {
    final class Tally: Sendable {
        struct Counts { var seen: [Int] = []; var running = 0; var peak = 0 }
        let counts = Mutex(Counts())
        func enter(_ i: Int) {
            counts.withLock {
                $0.seen.append(i); $0.running += 1; $0.peak = max($0.peak, $0.running)
            }
        }
        func leave() { counts.withLock { $0.running -= 1 } }
    }

    @Test(arguments: [(0, 4), (1, 4), (5, 1), (30, 4)])
    func everyIndexRunsOnceWithinTheLimit(count: Int, limit: Int) {
        let tally = Tally()
        WorkerThreads.forEach(count, limit: limit) { i in
            tally.enter(i)
            usleep(1_000)
            tally.leave()
        }
        let counts = tally.counts.withLock { $0 }
        #expect(counts.seen.sorted() == Array(0..<count))
        #expect(counts.peak <= limit)
        #expect(count <= limit || limit == 1 || counts.peak > 1)
    }

    /// A group runs what is started while the caller goes on, within its limit; `wait` waits for all of it.
    @Test func aGroupRunsEveryPieceWithinItsLimitAndWaits() {
        let tally = Tally()
        let group = WorkerThreads.Group(limit: 3)
        for i in 0..<12 {
            group.start {
                tally.enter(i)
                usleep(5_000)
                tally.leave()
            }
        }
        group.wait()
        let counts = tally.counts.withLock { $0 }
        #expect(counts.seen.sorted() == Array(0..<12))
        #expect(counts.running == 0)
        #expect(counts.peak <= 3 && counts.peak > 1)
    }
}
