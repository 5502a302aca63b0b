import Foundation

/// Env list handling as containerd does it.
enum Environment {
    /// containerd's `replaceOrAppendEnvValues`: an override `K=V` replaces the (last) base entry with
    /// key K in place, an unknown key is appended (duplicates are kept), a bare `K` removes K from the base.
    static func replaceOrAppend(_ base: [String], _ overrides: [String]) -> [String] {
        var result: [String?] = base
        var index: [String: Int] = [:]
        for (i, entry) in base.enumerated() {
            index[key(entry)] = i
        }
        for entry in overrides {
            let k = key(entry)
            if let slot = index[k] {
                result[slot] = entry.contains("=") ? entry : nil
            } else if entry.contains("=") {
                result.append(entry)
            }
        }
        return result.compactMap { $0 }.filter { !$0.isEmpty }
    }

    static func key(_ entry: String) -> String {
        String(entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }

    /// The entries of one env-file: one `K=V` per line; blank lines and `#` comments are skipped.
    /// A line without `=` is kept and acts as ctr's "unset" of an earlier entry.
    static func parseFile(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { return nil }
            return String(line)
        }
    }
}
