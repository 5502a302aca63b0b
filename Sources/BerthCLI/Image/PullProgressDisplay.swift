import Foundation
import OCI
import Planner
import Registry
import Synchronization

/// Pull progress for a terminal: one line per blob (state, bytes, rate) and a total line, redrawn in place
/// at most ten times a second. Only used when stderr is a TTY.
final class PullProgressDisplay: Sendable {
    private struct Blob {
        var progress: PullProgress
        /// Bytes and time of the first report, the base of the rate (a resumed blob starts above zero).
        var startBytes: Int64
        var startTime: Double
        var endTime: Double?
    }

    /// What has been reported and drawn so far.
    private struct Screen {
        var order: [Digest] = []
        var blobs: [Digest: Blob] = [:]
        var started: Double?
        var drawnLines = 0
        var lastDraw = -Double.infinity
    }

    private let screen = Mutex(Screen())
    private let output: @Sendable (String) -> Void
    private let now: @Sendable () -> Double

    init(
        output: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) },
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.output = output
        self.now = now
    }

    /// Records one report; redraws when a blob changes state or 0.1 s have passed.
    func update(_ progress: PullProgress) {
        screen.withLock { screen in
            let time = now()
            if screen.started == nil { screen.started = time }
            if var blob = screen.blobs[progress.digest] {
                let changed = blob.progress.state != progress.state
                blob.progress = progress
                if progress.state != .downloading { blob.endTime = blob.endTime ?? time }
                screen.blobs[progress.digest] = blob
                if changed || time - screen.lastDraw >= 0.1 { draw(&screen, at: time) }
            } else {
                screen.order.append(progress.digest)
                screen.blobs[progress.digest] = Blob(
                    progress: progress, startBytes: progress.completedBytes, startTime: time,
                    endTime: progress.state == .downloading ? nil : time)
                draw(&screen, at: time)
            }
        }
    }

    /// Draws the final state.
    func finish() {
        screen.withLock { screen in
            if !screen.order.isEmpty { draw(&screen, at: now()) }
        }
    }

    private func draw(_ screen: inout Screen, at time: Double) {
        screen.lastDraw = time
        var text = screen.drawnLines > 0 ? "\u{1B}[\(screen.drawnLines)A" : ""
        let lines = Self.render(screen, at: time)
        for line in lines { text += "\u{1B}[2K" + line + "\n" }
        screen.drawnLines = lines.count
        output(text)
    }

    /// The lines for the current state: `<digest> <state> <done>/<size> <rate>` per blob, then the total.
    private static func render(_ screen: Screen, at time: Double) -> [String] {
        var lines: [String] = []
        var downloaded: Int64 = 0
        var last: PullProgress?
        for digest in screen.order {
            guard let blob = screen.blobs[digest] else { continue }
            let p = blob.progress
            last = p
            var line =
                "\(p.digest.shortID)  \(p.state.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) "
                + "\(PlanRenderer.byteCount(p.completedBytes)) / \(PlanRenderer.byteCount(p.totalBytes))"
            if p.state != .present {
                let bytes = p.completedBytes - blob.startBytes
                downloaded += bytes
                line += "  " + Self.rate(bytes, seconds: (blob.endTime ?? time) - blob.startTime)
            }
            lines.append(line)
        }
        if let last {
            lines.append(
                "total         \(PlanRenderer.byteCount(last.overallCompletedBytes)) / "
                    + "\(PlanRenderer.byteCount(last.overallTotalBytes))  "
                    + Self.rate(downloaded, seconds: time - (screen.started ?? time)))
        }
        return lines
    }

    /// Bytes per second; a transfer faster than a millisecond counts as one.
    static func rate(_ bytes: Int64, seconds: Double) -> String {
        guard bytes > 0 else { return "-" }
        return PlanRenderer.byteCount(Int64(Double(bytes) / max(seconds, 0.001))) + "/s"
    }
}
