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
        guard path.utf8.first == UInt8(ascii: "/"), !path.utf8.contains(0), isStrictlyInside(cleanPath, cleanRoot) else { throw escape }
        // The deepest existing ancestor (the path itself when it exists, but not through a final symlink:
        // removing or replacing a symlink acts on the link, which is inside).
        let realRoot = realPath(cleanRoot) ?? cleanRoot
        var ancestor = (cleanPath as NSString).deletingLastPathComponent
        while ancestor.utf8.elementsEqual(cleanRoot.utf8) || isStrictlyInside(ancestor, cleanRoot) {
            if let real = realPath(ancestor) {
                guard real.utf8.elementsEqual(realRoot.utf8) || isStrictlyInside(real, realRoot) else { throw escape }
                return cleanPath
            }
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
        // Nothing of the root exists yet, so nothing in it can be a symlink: the lexical check stands.
        return cleanPath
    }

    /// `path` made absolute from the current directory when it is relative, then cleaned.
    public static func absolute(_ path: String) -> String {
        clean(path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path)
    }

    /// `path` with `.`, `..` and repeated slashes resolved lexically (symlinks untouched). Byte by byte, as
    /// the kernel reads a path: a combining mark after `/` or `.` must not hide a separator or a `..`
    /// (Swift's `Character` comparisons would join them into one grapheme).
    public static func clean(_ path: String) -> String {
        var parts: [ArraySlice<UInt8>] = []
        for part in Array(path.utf8).split(separator: UInt8(ascii: "/")) {
            if part.elementsEqual([UInt8(ascii: ".")]) { continue }
            if part.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(part)
        }
        var bytes: [UInt8] = []
        for part in parts {
            bytes.append(UInt8(ascii: "/"))
            bytes.append(contentsOf: part)
        }
        return bytes.isEmpty ? "/" : String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `path` lies below `root`, comparing bytes (canonically equivalent spellings are different
    /// directories on disk).
    static func isStrictlyInside(_ path: String, _ root: String) -> Bool {
        let p = Array(path.utf8), r = Array(root.utf8)
        if r == [UInt8(ascii: "/")] { return p != r && p.first == UInt8(ascii: "/") }
        return p.count > r.count + 1 && p.starts(with: r) && p[r.count] == UInt8(ascii: "/")
    }

    /// The real path of `path` (symlinks resolved), or nil when it does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
