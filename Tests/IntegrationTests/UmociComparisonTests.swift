import Foundation
import OCI
import Runtime
import Snapshots
import Testing

/// Berth's unpack, on both snapshotters, gives the same tree as `umoci raw unpack` of the same image:
/// a two-layer image built by umoci itself, whose second layer deletes a file, replaces a directory
/// and adds a hard link. Compared entry by entry: type, mode, owner, size, content, link target.
@Suite(.serialized) struct UmociComparisonTests {
    struct Entry: Equatable, CustomStringConvertible {
        var kind: mode_t
        var mode: mode_t
        var uid: uid_t
        var gid: gid_t
        var size: Int64
        var content: Data?
        var link: String?
        var description: String { "kind \(String(kind, radix: 8)) mode \(String(mode, radix: 8)) \(uid):\(gid) size \(size) link \(link ?? "-")" }
    }

    static func tree(_ root: String) -> [String: Entry] {
        var result: [String: Entry] = [:]
        guard let walker = FileManager.default.enumerator(atPath: root) else { return result }
        while let relative = walker.nextObject() as? String {
            let path = root + "/" + relative
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            let kind = st.st_mode & S_IFMT
            var entry = Entry(
                kind: kind, mode: st.st_mode & 0o7777, uid: st.st_uid, gid: st.st_gid,
                size: kind == S_IFREG ? Int64(st.st_size) : 0)
            if kind == S_IFREG { entry.content = FileManager.default.contents(atPath: path) }
            if kind == S_IFLNK { entry.link = try? FileManager.default.destinationOfSymbolicLink(atPath: path) }
            result[relative] = entry
        }
        return result
    }

    func sh(_ script: String) throws {
        let result = try ProcessRunner().run("/bin/sh", ["-ec", script])
        guard result.status == 0 else { throw FixtureError("\(script): \(result.stderrText)") }
    }

    @Test(arguments: ["native", "overlayfs"])
    func unpackMatchesUmoci(_ snapshotter: String) throws {
        let fixture = try BerthFixture()
        let w = fixture.work
        let script = BerthFixture.packageRoot + "/examples/images/busybox-rootfs.sh"
        try sh(
            """
            cd \(w); umoci init --layout L; umoci new --image L:base
            umoci unpack --image L:base B >/dev/null 2>&1; \(script) \(w)/rootfs; cp -a \(w)/rootfs/. B/rootfs/
            umoci repack --image L:v1 B; umoci unpack --image L:v1 C >/dev/null 2>&1
            rm C/rootfs/usr/bin/wc; mkdir -p C/rootfs/data/sub; echo hi > C/rootfs/data/sub/f
            ln C/rootfs/data/sub/f C/rootfs/data/hard; rm -rf C/rootfs/etc; mkdir C/rootfs/etc; echo new > C/rootfs/etc/only
            umoci repack --image L:v2 C; umoci raw unpack --image L:v2 \(w)/reference >/dev/null 2>&1
            """)
        #expect(try fixture.run(["image", "import", w + "/L", "--name", "berth.local/umoci"]).status == 0)
        let unpacked = try fixture.run(["image", "unpack", "berth.local/umoci:v2", "--snapshotter", snapshotter])
        #expect(unpacked.stdoutText.contains("unpacked 2 of 2 layers"), "\(unpacked.stdoutText)\(unpacked.stderrText)")

        let config = try JSONDecoder().decode(Inspect.self, from: try fixture.run(["image", "inspect", "berth.local/umoci:v2"]).stdout)
        let chain = ChainID.chain(config.config.rootfs.diffIDs)
        let layerDir = { (d: Digest) in "\(fixture.root)/snapshots/\(snapshotter)/layers/\(d.encoded)/fs" }
        var view = try #require(chain.last.map(layerDir))
        if snapshotter == "overlayfs" {
            view = w + "/view"
            try FileManager.default.createDirectory(atPath: view, withIntermediateDirectories: true)
            let lowers = chain.reversed().map(layerDir).joined(separator: ":")
            try sh("mount -t overlay overlay -o ro,lowerdir=\(lowers) \(view)")
        }
        defer { if snapshotter == "overlayfs" { _ = umount2(view, Int32(MNT_DETACH)) } }

        let ours = Self.tree(view)
        let reference = Self.tree(w + "/reference")
        #expect(ours.count > 250)
        #expect(
            Set(ours.keys) == Set(reference.keys),
            "only in berth: \(Set(ours.keys).subtracting(reference.keys).sorted()), only in umoci: \(Set(reference.keys).subtracting(ours.keys).sorted())"
        )
        for (path, entry) in reference.sorted(by: { $0.key < $1.key }) {
            #expect(ours[path] == entry, "\(path): berth \(ours[path].map(\.description) ?? "missing"), umoci \(entry)")
        }
        // The second layer's deletions and replaced directory really are applied.
        #expect(ours["usr/bin/wc"] == nil && ours["etc/passwd"] == nil && ours["etc/only"] != nil && ours["data/hard"] != nil)
    }

    struct Inspect: Decodable {
        var config: ImageConfiguration
    }
}
