import Foundation

/// Durations as compose files and Go programs write them (`1m30s`, `500ms`, `2h`, `1.5s`; a bare number is
/// seconds), parsed into seconds and printed back in the shortest such form.
public enum DurationText {
    static let units: [(suffix: String, seconds: Double)] = [
        ("h", 3600), ("m", 60), ("s", 1), ("ms", 0.001), ("us", 0.000_001), ("µs", 0.000_001), ("ns", 0.000_000_001),
    ]

    /// Seconds, or nil when `text` is not a duration (negative ones included).
    public static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let plain = Double(trimmed) { return plain >= 0 && plain.isFinite ? plain : nil }
        var rest = Substring(trimmed)
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { $0.isLetter || $0 == "µ" }
            // The longest unit that matches: `ms` before `m`.
            guard let unit = units.filter({ $0.suffix == unitText }).first else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.seconds
        }
        return total.isFinite ? total : nil
    }

    /// `seconds` as `1h2m3s`, `1m30s`, `10s`, `1.5s`, `500ms`, `0s` (whole milliseconds are kept exactly).
    public static func format(_ seconds: Double) -> String {
        guard seconds > 0, seconds.isFinite else { return "0s" }
        var millis = (seconds * 1000).rounded()
        if millis < 1 { return "\(Int((seconds * 1_000_000).rounded()))us" }
        if millis < 1000 { return "\(Int(millis))ms" }
        var text = ""
        let hours = (millis / 3_600_000).rounded(.down)
        if hours > 0 {
            text += "\(Int(hours))h"
            millis -= hours * 3_600_000
        }
        let minutes = (millis / 60_000).rounded(.down)
        if minutes > 0 {
            text += "\(Int(minutes))m"
            millis -= minutes * 60_000
        }
        if millis > 0 {
            let whole = Int(millis / 1000)
            let fraction = Int(millis) % 1000
            if fraction == 0 {
                text += "\(whole)s"
            } else {
                var digits = String(fraction)
                digits = String(repeating: "0", count: 3 - digits.count) + digits
                while digits.hasSuffix("0") { digits.removeLast() }
                text += "\(whole).\(digits)s"
            }
        }
        return text
    }
}
