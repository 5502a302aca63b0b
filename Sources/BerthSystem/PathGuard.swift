import Diagnostics
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A path that would leave the directory it must stay in.
public struct PathEscapeError: BerthError {
    public var path: String
    public var root: String
    public var operation: String
    public var category: ErrorCategory { .internal }
    public var code: String { "path-outside-root" }
    public var message: String {
        "refusing to \(operation) \(Names.quoted(path, limit: 200)): it is not inside \(root)"
    }
}

/// The last check before Berth creates or deletes anything under its state root: the path, cleaned
/// lexically, must lie strictly inside the root, and so must the real path of its deepest existing
/// ancestor (a symlink planted in the tree cannot redirect a create or a delete elsewhere).
public enum PathGuard {
    /// Returns `path` (lexically cleaned) when it is strictly inside `root`; throws otherwise.
    @discardableResult
    public static func check(_ path: String, inside root: String, operation: String) throws -> String {
        let cleanRoot = clean(root)
        let cleanPath = clean(path)
        let escape = PathEscapeError(path: path, root: cleanRoot, operation: operation)
        guard path.hasPrefix("/"), !path.utf8.contains(0), isStrictlyInside(cleanPath, cleanRoot) else { throw escape }
        // The deepest existing ancestor (the path itself when it exists, but not through a final symlink:
        // removing or replacing a symlink acts on the link, which is inside).
        let realRoot = realPath(cleanRoot) ?? cleanRoot
        var ancestor = (cleanPath as NSString).deletingLastPathComponent
        while ancestor == cleanRoot || isStrictlyInside(ancestor, cleanRoot) {
            if let real = realPath(ancestor) {
                guard real == realRoot || isStrictlyInside(real, realRoot) else { throw escape }
                return cleanPath
            }
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
        // Nothing of the root exists yet, so nothing in it can be a symlink: the lexical check stands.
        return cleanPath
    }

    /// `path` with `.`, `..` and repeated slashes resolved lexically (symlinks untouched).
    public static func clean(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    static func isStrictlyInside(_ path: String, _ root: String) -> Bool {
        root == "/" ? path != "/" : path.hasPrefix(root + "/")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
