import CArchive
import Foundation
import ImageStore
import OCI
import TarArchive
@testable import Checkpoint

/// A temporary directory removed when the test ends, with helpers to build files, devices and xattrs.
final class Scratch {
    let path: String
    private var mounts: [String] = []

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/berth-ckpt-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp failed") }
        path = String(cString: made)
    }

    deinit {
        for target in mounts.reversed() { umount2(target, Int32(MNT_DETACH)) }
        try? FileManager.default.removeItem(atPath: path)
    }

    func directory(_ relative: String) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        return full
    }

    func file(_ relative: String, _ text: String, mode: Int = 0o644, mtime: Int = 1_700_000_000) throws {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: full, contents: Data(text.utf8)) else { throw TestFailure("cannot write \(full)") }
        chmod(full, mode_t(mode))
        try setTime(relative, mtime)
    }

    func setTime(_ relative: String, _ mtime: Int) throws {
        var times = [timespec(tv_sec: mtime, tv_nsec: 0), timespec(tv_sec: mtime, tv_nsec: 0)]
        guard utimensat(AT_FDCWD, path + "/" + relative, &times, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw TestFailure("utimensat \(relative): \(errno)")
        }
    }

    /// An overlayfs whiteout: a 0/0 character device.
    func whiteout(_ relative: String) throws {
        guard mknod(path + "/" + relative, S_IFCHR | 0o000, 0) == 0 else { throw TestFailure("mknod \(relative): \(errno)") }
        try setTime(relative, 1_700_000_000)
    }

    func opaque(_ relative: String) throws {
        guard lsetxattr(path + "/" + relative, "trusted.overlay.opaque", "y", 1, 0) == 0 else {
            throw TestFailure("setxattr \(relative): \(errno)")
        }
    }

    func mountOverlay(lower: String, upper: String, work: String, at target: String) throws {
        let options = "lowerdir=\(path)/\(lower),upperdir=\(path)/\(upper),workdir=\(path)/\(work)"
        guard mount("overlay", path + "/" + target, "overlay", 0, options) == 0 else {
            throw TestFailure("mount overlay: \(String(cString: strerror(errno)))")
        }
        mounts.append(path + "/" + target)
    }

    func exists(_ relative: String) -> Bool {
        var st = stat()
        return lstat(path + "/" + relative, &st) == 0
    }

    func read(_ relative: String) -> String? {
        FileManager.default.contents(atPath: path + "/" + relative).map { String(decoding: $0, as: UTF8.self) }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A store with a one-layer base image, and the pieces a checkpoint request needs.
struct Fixture {
    let scratch: Scratch
    let store: ImageStore
    let base: ResolvedImage
    let spec: RuntimeSpec

    init() throws {
        scratch = try Scratch()
        store = try ImageStore(root: try scratch.directory("store"))
        try scratch.file("base/keep", "kept\n")
        try scratch.file("base/gone", "deleted by the container\n")
        try scratch.file("base/data/old", "hidden by the opaque dir\n")
        try scratch.file("base/etc/conf", "original\n")
        base = try store.importRootfs(directory: scratch.path + "/base", reference: "example.com/base:1")
        spec = RuntimeSpec(
            process: OCIProcess(args: ["/bin/sh", "-c", "sleep 1000"], env: ["A=1"], cwd: "/"),
            root: OCIRoot(path: "rootfs"), hostname: "web")
    }

    /// An overlay upper dir as a container would leave it: new and changed files, a whiteout, an opaque dir.
    func makeUpper(_ name: String = "upper") throws -> String {
        try scratch.file("\(name)/etc/conf", "changed\n")
        try scratch.file("\(name)/bin/tool", "#!/bin/sh\n", mode: 0o755)
        try scratch.file("\(name)/data/new", "fresh\n")
        try scratch.opaque("\(name)/data")
        try scratch.whiteout("\(name)/gone")
        for dir in ["etc", "bin", "data", ""] { try scratch.setTime("\(name)/\(dir)", 1_700_000_100) }
        return scratch.path + "/" + name
    }

    func request(_ rw: RWSource, criu: String? = nil) -> CheckpointRequest {
        CheckpointRequest(
            container: "web", runtime: "runc", snapshotter: "overlayfs", baseImage: base, spec: spec,
            rw: rw, criuDirectory: criu)
    }

    /// Entry paths of a stored layer blob, in archive order.
    func entries(_ layer: Descriptor) throws -> [TarEntry] {
        let reader = try TarReader(path: store.blobPath(layer.digest), compression: .gzip)
        var result: [TarEntry] = []
        while let entry = try reader.next() { result.append(entry) }
        return result
    }
}
