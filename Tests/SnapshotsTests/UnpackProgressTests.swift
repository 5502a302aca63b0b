import Foundation
import Testing
@testable import Snapshots

@Suite struct UnpackProgressTests {
    /// A fake clock and a record of everything written, shared with the display's closures.
    final class Terminal: @unchecked Sendable {
        private let lock = NSLock()
        private var time: Duration = .zero
        private var writes: [String] = []

        var now: Duration { lock.withLock { time } }
        var output: [String] { lock.withLock { writes } }
        func set(_ t: Duration) { lock.withLock { time = t } }
        func append(_ text: String) { lock.withLock { writes.append(text) } }
    }

    enum Event {
        case begin(Int, total: Int64)
        case advance(Int, done: Int64)
        case end(Int, failed: Bool)
    }

    struct Case: CustomTestStringConvertible {
        var name: String
        /// (milliseconds on the fake clock, event)
        var events: [(Int, Event)]
        var expected: [String]
        var testDescription: String { name }
    }

    static let mib: Int64 = 1 << 20
    static let digestA = "sha256:" + String(repeating: "a", count: 64)
    static let digestB = "sha256:" + String(repeating: "b", count: 64)
    static let erase = "\r\u{1B}[K"

    static let cases: [Case] = [
        Case(
            name: "one layer, updates throttled to one per 100 ms, final line",
            events: [
                (0, .begin(0, total: 8 * mib)), (50, .advance(0, done: 1 * mib)), (100, .advance(0, done: 2 * mib)),
                (150, .advance(0, done: 3 * mib)), (1000, .advance(0, done: 8 * mib)), (2000, .end(0, failed: false)),
            ],
            expected: [
                erase + "layer 1/2 aaaaaaaaaaaa 0.0 MiB/8.0 MiB -- MiB/s",
                erase + "layer 1/2 aaaaaaaaaaaa 2.0 MiB/8.0 MiB 20.0 MiB/s",
                erase + "layer 1/2 aaaaaaaaaaaa 8.0 MiB/8.0 MiB 8.0 MiB/s",
                erase + "layer 1/2 aaaaaaaaaaaa: 8.0 MiB done in 2.0 s (4.0 MiB/s)\n",
            ]),
        Case(
            name: "two layers in parallel share the status line; a failure says how far it got",
            events: [
                (0, .begin(0, total: 4 * mib)), (0, .begin(1, total: 2 * mib)), (500, .advance(1, done: 1 * mib)),
                (1000, .end(1, failed: true)), (2000, .end(0, failed: false)),
            ],
            expected: [
                erase + "layer 1/2 aaaaaaaaaaaa 0.0 MiB/4.0 MiB -- MiB/s",
                erase + "layer 1/2 aaaaaaaaaaaa 0.0 MiB/4.0 MiB -- MiB/s  layer 2/2 bbbbbbbbbbbb 0.0 MiB/2.0 MiB -- MiB/s",
                erase + "layer 1/2 aaaaaaaaaaaa 0.0 MiB/4.0 MiB 0.0 MiB/s  layer 2/2 bbbbbbbbbbbb 1.0 MiB/2.0 MiB 2.0 MiB/s",
                erase + "layer 2/2 bbbbbbbbbbbb: failed after 1.0 MiB in 1.0 s (1.0 MiB/s)\n",
                erase + "layer 1/2 aaaaaaaaaaaa 0.0 MiB/4.0 MiB 0.0 MiB/s",
                erase + "layer 1/2 aaaaaaaaaaaa: 4.0 MiB done in 2.0 s (2.0 MiB/s)\n",
            ]),
        Case(
            name: "an end for a layer never begun writes nothing",
            events: [(0, .end(3, failed: false))], expected: []),
    ]

    @Test(arguments: cases) func rendersLines(_ item: Case) {
        let terminal = Terminal()
        let progress = UnpackProgress(now: { terminal.now }, write: { terminal.append($0) })
        for (ms, event) in item.events {
            terminal.set(.milliseconds(ms))
            switch event {
            case .begin(let index, let total):
                progress.begin(index, of: 2, digest: index == 0 ? Self.digestA : Self.digestB, total: total)
            case .advance(let index, let done): progress.advance(index, to: done)
            case .end(let index, let failed): progress.end(index, failed: failed)
            }
        }
        #expect(terminal.output == item.expected)
    }

    @Test func noDisplayWhenStandardErrorIsNotATerminal() throws {
        let saved = dup(STDERR_FILENO)
        defer {
            dup2(saved, STDERR_FILENO)
            close(saved)
        }
        let null = open("/dev/null", O_WRONLY)
        try #require(null >= 0)
        dup2(null, STDERR_FILENO)
        close(null)
        #expect(UnpackProgress.standardErrorIfTerminal() == nil)
    }
}
