import Foundation
import Runtime
import Testing

/// Drives the real `berth` binary against a scratch state root; cleans up last-in-first-out:
/// `berth down` for every project used, then any mount left under the root, then the root itself.
final class BerthFixture: @unchecked Sendable {
    let root: String
    let work: String
    let berth: String
    private var projects: [(manifest: String, project: String)] = []

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("berth-it-\(UUID().uuidString.prefix(8))").path
        root = base + "/state"
        work = base + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        berth = try Self.locateBerth()
    }

    /// The `berth` executable next to the test bundle (SwiftPM builds it with the tests).
    static func locateBerth() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["BERTH_BINARY"] { return explicit }
        var candidates: [String] = []
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        candidates.append(argv0.appendingPathComponent("berth").path)
        candidates.append(argv0.deletingLastPathComponent().appendingPathComponent("berth").path)
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/berth").path)
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw FixtureError("berth binary not found; looked in \(candidates.joined(separator: ", "))")
    }

    static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    /// Runs `berth ARGS --state-root ROOT` (the state root option is added to the subcommand).
    @discardableResult
    func run(_ arguments: [String]) throws -> CommandResult {
        try ProcessRunner().run(berth, arguments + ["--state-root", root])
    }

    /// Runs berth with extra environment variables (through env(1)).
    @discardableResult
    func run(_ arguments: [String], environment: [String: String]) throws -> CommandResult {
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return try ProcessRunner().run("/usr/bin/env", assignments + [berth] + arguments + ["--state-root", root])
    }

    /// Builds the busybox demo rootfs with the project's own script and imports it.
    @discardableResult
    func importBusybox(tag: String = "berth.local/busybox:demo") throws -> String {
        let rootfs = work + "/rootfs-\(UUID().uuidString.prefix(6))"
        let script = Self.packageRoot + "/examples/images/busybox-rootfs.sh"
        let made = try ProcessRunner().run("/bin/sh", [script, rootfs])
        guard made.status == 0 else { throw FixtureError("busybox-rootfs.sh failed: \(made.stderrText)") }
        let result = try run(["image", "import", "--rootfs", rootfs, "--tag", tag])
        guard result.status == 0 else { throw FixtureError("image import failed: \(result.stderrText)") }
        return result.stdoutText
    }

    /// Writes a manifest and remembers its project for cleanup.
    func manifest(_ text: String, project: String, file: String = "berth.yaml") throws -> String {
        let dir = work + "/" + project
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + file
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        projects.append((path, project))
        return path
    }

    /// Remembers a manifest written elsewhere for cleanup.
    func track(manifest: String, project: String) {
        projects.append((manifest, project))
    }

    deinit {
        for (manifest, project) in projects.reversed() {
            _ = try? run(["down", "-f", manifest, "-p", project, "-t", "1"])
        }
        Self.unmountAll(under: root)
        // The root's own cgroup (`/berth/<root id>`), which Berth leaves as containerd leaves a namespace's;
        // its projects' cgroups went with `down`. Deepest first; a cgroup still in use stays.
        if let id = rootID {
            for directory in Self.cgroupDirectories(rootID: id).sorted(by: >) { rmdir(directory) }
            for hierarchy in Self.cgroupHierarchies { rmdir(hierarchy + "/berth/" + id) }
        }
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: root).deletingLastPathComponent().path)
    }

    /// The state root's identity as Berth computes it (12 hex digits of the SHA-256 of its real path).
    var rootID: String? {
        guard let resolved = realpath(root, nil) else { return nil }
        defer { free(resolved) }
        let real = String(cString: resolved)
        guard let output = try? ProcessRunner().run("/bin/sh", ["-c", "printf %s \"$1\" | sha256sum", "sh", real]), output.status == 0 else {
            return nil
        }
        return String(output.stdoutText.prefix(12))
    }

    static var cgroupHierarchies: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []
        return names.map { "/sys/fs/cgroup/" + $0 }.filter { access($0 + "/berth", F_OK) == 0 }
            + (access("/sys/fs/cgroup/berth", F_OK) == 0 ? ["/sys/fs/cgroup"] : [])
    }

    /// The cgroup directories under `/berth/<rootID>` in every hierarchy (a project's, and its containers').
    static func cgroupDirectories(rootID: String) -> [String] {
        cgroupHierarchies.flatMap { hierarchy -> [String] in
            let base = hierarchy + "/berth/" + rootID
            let projects = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
            return projects.flatMap { project -> [String] in
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: base + "/" + project, isDirectory: &isDirectory), isDirectory.boolValue else {
                    return []
                }
                let children = (try? FileManager.default.contentsOfDirectory(atPath: base + "/" + project)) ?? []
                return [base + "/" + project]
                    + children.map { base + "/" + project + "/" + $0 }.filter {
                        FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue
                    }
            }
        }
    }

    /// Unmounts anything still mounted under `path`, deepest first.
    static func unmountAll(under path: String) {
        guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return }
        let targets = mounts.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 1 else { return nil }
            let target = String(fields[1]).replacingOccurrences(of: "\\040", with: " ")
            return target.hasPrefix(path + "/") ? target : nil
        }
        for target in targets.sorted(by: { $0.count > $1.count }) {
            _ = umount2(target, Int32(MNT_DETACH))
        }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
