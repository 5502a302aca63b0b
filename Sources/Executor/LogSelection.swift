import BerthSystem
import Foundation
import Supervision

/// Which stored log records `berth logs` prints: those at or after `since`, then the last `tail` of each
/// container; several containers' records interleaved by time.
public struct LogSelection: Sendable, Equatable {
    /// The earliest record time kept, in the log's own form (RFC 3339 UTC with milliseconds).
    public var since: String?
    /// How many of each container's last records are kept; nil: all.
    public var tail: Int?

    public init(since: String? = nil, tail: Int? = nil) {
        self.since = since
        self.tail = tail
    }

    /// One container's records as selected.
    public func apply(_ records: [LogRecord]) -> [LogRecord] {
        var kept = records
        if let since { kept = kept.filter { $0.time >= since } }
        if let tail { kept = Array(kept.suffix(max(0, tail))) }
        return kept
    }

    /// Records of several containers in time order; records with the same time keep their order (a
    /// container's own lines never swap). Log times have one fixed width, so they order as text.
    public static func interleaved(_ records: [(name: String, record: LogRecord)]) -> [(name: String, record: LogRecord)] {
        records.enumerated().sorted { a, b in
            a.element.record.time != b.element.record.time ? a.element.record.time < b.element.record.time : a.offset < b.offset
        }.map(\.element)
    }

    /// A `--since` value as a log time: an RFC 3339 time (`2024-05-01T10:00:00Z`, with an offset or
    /// fractional seconds), a date (`2024-05-01`, UTC midnight), or a duration before `now` (`90s`, `10m`,
    /// `2h`, `1h30m`, `1.5h`). Nil when it is none of these.
    public static func sinceTime(_ text: String, now: Date = Date()) -> String? {
        if let seconds = duration(text) { return Timestamp.format(now.addingTimeInterval(-seconds)) }
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate],
        ] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return Timestamp.format(date) }
        }
        return nil
    }

    /// Seconds in a duration such as `1h30m`, `10m`, `45s`, `1.5h`, `250ms` (`DurationText`, the one
    /// duration rule); a bare number is not one here (`--since 5` is ambiguous).
    public static func duration(_ text: String) -> TimeInterval? {
        guard Double(text) == nil else { return nil }
        return DurationText.seconds(text)
    }
}
