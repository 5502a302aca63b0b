import Foundation
import Synchronization

/// Layer extraction progress for a terminal: one status line with every layer in flight (compressed
/// bytes read of the blob's size, and rate), redrawn at most once per `interval`, and a final line per layer.
public final class UnpackProgress: Sendable {
    private struct Layer {
        var name: String
        var total: Int64
        var done: Int64
        var started: Duration
    }

    /// What the status line shows; each change and its redraw happen under the one lock.
    private struct Display {
        var layers: [Int: Layer] = [:]
        var lastDraw: Duration?
    }

    private let write: @Sendable (String) -> Void
    private let now: @Sendable () -> Duration
    private let interval: Duration
    private let display = Mutex(Display())

    /// `write` receives terminal text (with `\r` and erase-line codes); `now` is a monotonic clock.
    public init(
        interval: Duration = .milliseconds(100), now: @escaping @Sendable () -> Duration,
        write: @escaping @Sendable (String) -> Void
    ) {
        self.interval = interval
        self.now = now
        self.write = write
    }

    /// A display on stderr when stderr is a terminal; nil otherwise, so pipes and logs stay clean.
    public static func standardErrorIfTerminal() -> UnpackProgress? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        let origin = ContinuousClock.now
        return UnpackProgress(
            now: { ContinuousClock.now - origin },
            write: { text in
                var bytes = Array(text.utf8)
                _ = bytes.withUnsafeMutableBytes { Foundation.write(STDERR_FILENO, $0.baseAddress, $0.count) }
            })
    }

    /// Layer `index` (0-based) of an image with `count` layers starts; `total` is its blob size.
    func begin(_ index: Int, of count: Int, digest: String, total: Int64) {
        display.withLock { display in
            let short = digest.split(separator: ":").last.map { String($0.prefix(12)) } ?? digest
            display.layers[index] = Layer(
                name: "layer \(index + 1)/\(count) \(short)", total: total, done: 0,
                started: now())
            draw(&display, force: true)
        }
    }

    /// Layer `index` has read `done` bytes of its blob.
    func advance(_ index: Int, to done: Int64) {
        display.withLock { display in
            display.layers[index]?.done = done
            draw(&display, force: false)
        }
    }

    /// Layer `index` is extracted (or failed): prints its final line and drops it from the status line.
    func end(_ index: Int, failed: Bool) {
        display.withLock { display in
            guard let layer = display.layers.removeValue(forKey: index) else { return }
            let elapsed = now() - layer.started
            let outcome = failed ? "failed after \(Self.bytes(layer.done))" : "\(Self.bytes(layer.total)) done"
            write(
                Self.erase + "\(layer.name): \(outcome) in \(Self.seconds(elapsed)) "
                    + "(\(Self.rate(failed ? layer.done : layer.total, elapsed)))\n")
            display.lastDraw = nil
            if !display.layers.isEmpty { draw(&display, force: true) }
        }
    }

    private static let erase = "\r\u{1B}[K"

    private func draw(_ display: inout Display, force: Bool) {
        let time = now()
        if !force, let lastDraw = display.lastDraw, time - lastDraw < interval { return }
        display.lastDraw = time
        let parts = display.layers.keys.sorted().compactMap { key in display.layers[key] }.map { layer in
            "\(layer.name) \(Self.bytes(layer.done))/\(Self.bytes(layer.total)) \(Self.rate(layer.done, time - layer.started))"
        }
        write(Self.erase + parts.joined(separator: "  "))
    }

    static func bytes(_ count: Int64) -> String {
        String(format: "%.1f MiB", Double(count) / 1_048_576)
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1f s", duration.inSeconds)
    }

    static func rate(_ count: Int64, _ elapsed: Duration) -> String {
        let seconds = elapsed.inSeconds
        guard seconds > 0 else { return "-- MiB/s" }
        return String(format: "%.1f MiB/s", Double(count) / 1_048_576 / seconds)
    }
}

extension Duration {
    var inSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
