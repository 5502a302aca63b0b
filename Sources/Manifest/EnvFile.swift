import Diagnostics
import Foundation

/// `KEY=VALUE` files: `env-files` entries (taken verbatim) and the `.env` beside the manifest
/// (which also allows `export ` and quoted values, as compose does).
public enum EnvFile {
    /// The `K=V` lines of an env-file; `#` comments and blank lines are skipped, a line without `=` is an error.
    public static func parse(path: String) throws -> [String] {
        let text = try read(path)
        return try entries(text, file: path, dotenv: false).map { "\($0.key)=\($0.value)" }
    }

    static func read(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ManifestFileError(category: .usage, code: "env-file-unreadable", path: path, underlying: error)
        }
    }

    /// Parsed entries in file order; throws all bad lines at once as diagnostics.
    static func entries(_ text: String, file: String, dotenv: Bool) throws -> [(key: String, value: String)] {
        var result: [(key: String, value: String)] = []
        var problems: [Diagnostic] = []
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            var line = rawLine
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if dotenv {
                line = Substring(trimmed)
                if line.hasPrefix("export ") { line = line.dropFirst(7).drop(while: { $0 == " " }) }
            }
            guard let eq = line.firstIndex(of: "="), eq != line.startIndex else {
                let loc = SourceLocation(file: file, line: index + 1, column: 1)
                problems.append(ManifestDiagnostics.envFileLineWithoutEquals(String(line), at: loc))
                continue
            }
            let key = String(line[..<eq])
            var value = String(line[line.index(after: eq)...])
            if dotenv { value = unquote(value.trimmingCharacters(in: .whitespaces)) }
            result.append((dotenv ? key.trimmingCharacters(in: .whitespaces) : key, value))
        }
        if !problems.isEmpty { throw DiagnosticsError(problems, category: .manifest) }
        return result
    }

    private static func unquote(_ value: String) -> String {
        guard value.count >= 2, let first = value.first, first == value.last, first == "\"" || first == "'" else {
            return value
        }
        return String(value.dropFirst().dropLast())
    }

    /// Merges `overrides` into `base` by key: a known key is replaced in place, a new key is appended.
    static func merge(_ base: [String], _ overrides: [String]) -> [String] {
        var result = base
        var index: [Substring: Int] = [:]
        for (i, entry) in result.enumerated() { index[key(of: entry)] = index[key(of: entry)] ?? i }
        for entry in overrides {
            let k = key(of: entry)
            if let i = index[k] {
                result[i] = entry
            } else {
                index[k] = result.count
                result.append(entry)
            }
        }
        return result
    }

    private static func key(of entry: String) -> Substring {
        entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? Substring(entry)
    }
}

extension ContainerDefinition {
    /// The container's environment from the manifest: env-files in order, then `env`, later keys replacing earlier.
    public func resolvedEnvironment() throws -> [String] {
        var result: [String] = []
        for file in envFiles {
            result = EnvFile.merge(result, try EnvFile.parse(path: file))
        }
        return EnvFile.merge(result, env)
    }
}
