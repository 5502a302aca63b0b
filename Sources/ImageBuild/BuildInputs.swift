import BerthSystem
import Diagnostics
import Foundation
import Manifest

/// What a build is made from, as digests: every context file `.dockerignore` keeps (content and mode; a link
/// by its target), the Dockerfile, the arguments, target and labels. An unchanged key means the image is up
/// to date; a changed one names what changed.
public struct BuildInputs: Codable, Hashable, Sendable {
    /// Context files by relative path: `sha256:…` of the content, with the mode.
    public var files: [String: String]
    public var dockerfile: String
    /// The arguments, target and labels, as one digest.
    public var options: String

    /// The key: one digest of everything above.
    public var key: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return SHA256Hex.digest(of: (try? encoder.encode(self)) ?? Data())
    }

    /// Reads the context of `build` (never following a link out of it).
    public static func read(_ build: BuildDefinition) throws -> BuildInputs {
        let context = build.context
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: context, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw BuildError("build-context-missing", "build context \(context) is not a directory")
        }
        let ignore = DockerIgnore(text: (try? String(contentsOfFile: context + "/.dockerignore", encoding: .utf8)) ?? "")
        var files: [String: String] = [:]
        guard let walker = FileManager.default.enumerator(atPath: context) else {
            throw BuildError("build-context-unreadable", "cannot read the build context \(context)")
        }
        while let relative = walker.nextObject() as? String {
            if ignore.excludes(relative) {
                if (walker.fileAttributes?[.type] as? FileAttributeType) == .typeDirectory { walker.skipDescendants() }
                continue
            }
            let path = context + "/" + relative
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            let mode = String(info.st_mode & 0o7777, radix: 8)
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw BuildError("build-context-unreadable", "cannot read \(path) of the build context")
                }
                files[relative] = SHA256Hex.digest(of: data) + " \(mode)"
            case S_IFLNK:
                files[relative] = "link " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "")
            default:
                continue
            }
        }
        let dockerfile: Data
        if let inline = build.dockerfileInline {
            dockerfile = Data(inline.utf8)
        } else if let path = build.dockerfilePath, let data = FileManager.default.contents(atPath: path) {
            dockerfile = data
        } else {
            throw BuildError("dockerfile-missing", "no Dockerfile at \(build.dockerfilePath ?? "")")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        struct Options: Encodable {
            var args: [String: String]
            var target: String?
            var labels: [String: String]
        }
        let options = try encoder.encode(Options(args: build.args, target: build.target, labels: build.labels))
        return BuildInputs(files: files, dockerfile: SHA256Hex.digest(of: dockerfile), options: SHA256Hex.digest(of: options))
    }

    /// What changed from `old` to this, for the plan: `Dockerfile changed`, `context changed (app.py, +2 more)`…
    public func changes(since old: BuildInputs) -> [String] {
        var reasons: [String] = []
        if dockerfile != old.dockerfile { reasons.append("Dockerfile changed") }
        if options != old.options { reasons.append("build arguments, target or labels changed") }
        let changed = Set(files.keys).union(old.files.keys).filter { files[$0] != old.files[$0] }.sorted()
        if !changed.isEmpty {
            let shown = changed.prefix(3).joined(separator: ", ")
            reasons.append("context changed (\(shown)\(changed.count > 3 ? ", +\(changed.count - 3) more" : ""))")
        }
        return reasons
    }
}

/// A build that could not be made: the code, and a message naming what failed.
public struct BuildError: BerthError {
    public var code: String
    public var message: String
    public var category: ErrorCategory { .runtime }

    init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }
}
