import Foundation

/// Field-level differences between two canonical container entries, as plan reasons
/// (`args changed ["sh"] → ["sh","-c","…"]`).
enum ChangeReasons {
    static func between(old: Data?, new: Data) -> [String] {
        guard let old,
            let before = (try? JSONSerialization.jsonObject(with: old)) as? [String: Any],
            let after = (try? JSONSerialization.jsonObject(with: new)) as? [String: Any]
        else { return [] }
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
