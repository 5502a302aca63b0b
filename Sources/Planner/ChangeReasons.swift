import BerthSystem
import Foundation

/// Field-level differences between two canonical container entries, as plan reasons
/// (`args changed ["sh"] → ["sh","-c","…"]`).
enum ChangeReasons {
    /// `envKeysShown`: the env keys whose values may be printed (nil: all); the others are shown as
    /// `KEY=<sha256:…>` (values from env-files must not reach a CI log).
    static func between(old: Data?, new: Data, envKeysShown: Set<String>? = nil) -> [String] {
        guard let old,
            var before = (try? JSONSerialization.jsonObject(with: old)) as? [String: Any],
            var after = (try? JSONSerialization.jsonObject(with: new)) as? [String: Any]
        else { return [] }
        if let shown = envKeysShown {
            before["env"] = (before["env"] as? [String]).map { redact($0, shown: shown) }
            after["env"] = (after["env"] as? [String]).map { redact($0, shown: shown) }
        }
        var reasons: [String] = []
        for key in Set(before.keys).union(after.keys).sorted() {
            let a = before[key].map(render)
            let b = after[key].map(render)
            guard a != b else { continue }
            switch (a, b) {
            case let (a?, b?): reasons.append("\(key) changed \(a) → \(b)")
            case let (nil, b?): reasons.append("\(key) set to \(b)")
            case let (a?, nil): reasons.append("\(key) removed (was \(a))")
            default: break
            }
        }
        return reasons
    }

    /// `K=V` entries with the value of each key not in `shown` replaced by a short digest of it.
    static func redact(_ entries: [String], shown: Set<String>) -> [String] {
        entries.map { entry in
            guard let eq = entry.firstIndex(of: "=") else { return entry }
            let key = String(entry[..<eq])
            guard !shown.contains(key) else { return entry }
            let digest = SHA256Hex.of(Data(entry[entry.index(after: eq)...].utf8))
            return "\(key)=<sha256:\(digest.prefix(12))>"
        }
    }

    static func render(_ value: Any) -> String {
        if JSONSerialization.isValidJSONObject(value),
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
        {
            return String(decoding: data, as: UTF8.self)
        }
        if let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys, .withoutEscapingSlashes]) {
            return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
        }
        return String(describing: value)
    }
}
