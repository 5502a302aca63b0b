import Foundation
import Testing

/// A scratch directory under /tmp, removed by `cleanup()`.
struct Scratch {
    let path: String

    init() throws {
        path = "/tmp/berth-tar-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }

    func write(_ relative: String, _ text: String, mode: Int = 0o644) throws {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        chmod(full, mode_t(mode))
    }

    func read(_ relative: String) -> String? {
        FileManager.default.contents(atPath: path + "/" + relative).map { String(decoding: $0, as: UTF8.self) }
    }

    func exists(_ relative: String) -> Bool {
        var st = Glibc.stat()
        return lstat(path + "/" + relative, &st) == 0
    }

    func info(_ relative: String) -> Glibc.stat? {
        var st = Glibc.stat()
        return lstat(path + "/" + relative, &st) == 0 ? st : nil
    }

    /// All paths under the directory, relative and sorted.
    func tree(_ relative: String = "") -> [String] {
        let base = relative.isEmpty ? path : path + "/" + relative
        return (FileManager.default.subpaths(atPath: base) ?? []).sorted()
    }
}
