import Foundation
import OCI
import Planner
import Registry

/// Pull progress for a terminal: one line per blob (state, bytes, rate) and a total line, redrawn in place
/// at most ten times a second. Only used when stderr is a TTY.
final class PullProgressDisplay: @unchecked Sendable {
    private struct Blob {
        var progress: PullProgress
        /// Bytes and time of the first report, the base of the rate (a resumed blob starts above zero).
        var startBytes: Int64
        var startTime: Double
        var endTime: Double?
    }

    private let lock = NSLock()
    private var order: [Digest] = []
    private var blobs: [Digest: Blob] = [:]
    private var started: Double?
    private var drawnLines = 0
    private var lastDraw = -Double.infinity
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
        lock.lock()
        defer { lock.unlock() }
        let time = now()
        if started == nil { started = time }
        if var blob = blobs[progress.digest] {
            let changed = blob.progress.state != progress.state
            blob.progress = progress
            if progress.state != .downloading { blob.endTime = blob.endTime ?? time }
            blobs[progress.digest] = blob
            if changed || time - lastDraw >= 0.1 { draw(at: time) }
        } else {
            order.append(progress.digest)
            blobs[progress.digest] = Blob(
                progress: progress, startBytes: progress.completedBytes, startTime: time,
                endTime: progress.state == .downloading ? nil : time)
            draw(at: time)
        }
    }

    /// Draws the final state.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if !order.isEmpty { draw(at: now()) }
    }

    private func draw(at time: Double) {
        lastDraw = time
        var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
        let lines = render(at: time)
        for line in lines { text += "\u{1B}[2K" + line + "\n" }
        drawnLines = lines.count
        output(text)
    }

    /// The lines for the current state: `<digest> <state> <done>/<size> <rate>` per blob, then the total.
    private func render(at time: Double) -> [String] {
        var lines: [String] = []
        var downloaded: Int64 = 0
        var last: PullProgress?
        for digest in order {
            guard let blob = blobs[digest] else { continue }
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
                    + Self.rate(downloaded, seconds: time - (started ?? time)))
        }
        return lines
    }

    /// Bytes per second; a transfer faster than a millisecond counts as one.
    static func rate(_ bytes: Int64, seconds: Double) -> String {
        guard bytes > 0 else { return "-" }
        return PlanRenderer.byteCount(Int64(Double(bytes) / max(seconds, 0.001))) + "/s"
    }
}
