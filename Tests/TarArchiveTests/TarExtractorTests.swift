import CArchive
import Foundation
import Testing
@testable import TarArchive

@Suite struct TarExtractorTests {
    struct Entry: Sendable {
        var name: String
        var kind: TarEntry.Kind
        var link: String? = nil
        var data = "x"
    }

    func makeTar(_ path: String, _ entries: [Entry]) throws {
        let writer = try TarWriter(path: path)
        for entry in entries {
            try writer.add(
                entry.name, kind: entry.kind, mode: entry.kind == .directory ? 0o755 : 0o644,
                data: Data(entry.data.utf8), link: entry.link)
        }
        try writer.finish()
    }

    struct UnsafeCase: CustomStringConvertible, Sendable {
        var description: String
        var entries: @Sendable (String) -> [Entry]
    }

    static let unsafeCases: [UnsafeCase] = [
        UnsafeCase(description: "dot-dot escape") { _ in [Entry(name: "../outside/pwned", kind: .regular)] },
        UnsafeCase(description: "nested dot-dot escape") { _ in [Entry(name: "a/../../outside/pwned", kind: .regular)] },
        UnsafeCase(description: "symlink to absolute outside") { outside in
            [Entry(name: "evil", kind: .symlink, link: outside), Entry(name: "evil/pwned", kind: .regular)]
        },
        UnsafeCase(description: "symlink climbing out") { _ in
            [Entry(name: "evil", kind: .symlink, link: "../outside"), Entry(name: "evil/pwned", kind: .regular)]
        },
        UnsafeCase(description: "hard link to outside") { _ in
            [Entry(name: "h", kind: .hardlink, link: "../outside/secret")]
        },
        UnsafeCase(description: "hard link through symlink") { _ in
            [Entry(name: "evil", kind: .symlink, link: "../outside"), Entry(name: "h", kind: .hardlink, link: "evil/secret")]
        },
        UnsafeCase(description: "whiteout through symlink") { _ in
            [Entry(name: "evil", kind: .symlink, link: "../outside"), Entry(name: "evil/.wh.secret", kind: .regular)]
        },
        UnsafeCase(description: "checked directory replaced by a symlink, then written through") { _ in
            [
                Entry(name: "a/", kind: .directory), Entry(name: "a/x", kind: .regular),
                Entry(name: "a", kind: .symlink, link: "../outside"), Entry(name: "a/pwned", kind: .regular),
            ]
        },
        UnsafeCase(description: "implied directory replaced by a symlink, then written below") { _ in
            [
                Entry(name: "a/b/x", kind: .regular), Entry(name: "a/b", kind: .symlink, link: "../../outside"),
                Entry(name: "a/b/pwned", kind: .regular),
            ]
        },
        UnsafeCase(description: "checked directory replaced by a symlink, then hard-linked through") { _ in
            [
                Entry(name: "a/", kind: .directory), Entry(name: "a/x", kind: .regular),
                Entry(name: "a", kind: .symlink, link: "../outside"), Entry(name: "h", kind: .hardlink, link: "a/secret"),
            ]
        },
        UnsafeCase(description: "dot-slash names through a symlink") { _ in
            [Entry(name: "./evil", kind: .symlink, link: "../outside"), Entry(name: "./evil/pwned", kind: .regular)]
        },
    ]

    @Test(arguments: unsafeCases)
    func unsafeEntriesAreRefusedAndNothingIsWrittenOutside(_ item: UnsafeCase) throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try dir.write("outside/secret", "keep me")
        try FileManager.default.createDirectory(atPath: dir.path + "/root", withIntermediateDirectories: true)
        try makeTar(dir.path + "/t.tar", item.entries(dir.path + "/outside"))
        for mode in [WhiteoutMode.apply, .overlay] {
            let reader = try TarReader(path: dir.path + "/t.tar", compression: .none)
            let error = #expect(throws: TarError.self) {
                try TarExtractor.extract(reader, into: dir.path + "/root", whiteouts: mode)
            }
            #expect(error?.code == "archive-unsafe-path", "\(item) \(mode): \(String(describing: error))")
            #expect(dir.tree("outside") == ["secret"])
            #expect(dir.read("outside/secret") == "keep me")
        }
    }

    /// Absolute names (and hard-link targets) are read relative to the root, as GNU tar and containerd do.
    @Test func absoluteNamesAreContainedInTheRoot() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try dir.write("outside/secret", "keep me")
        try FileManager.default.createDirectory(atPath: dir.path + "/root", withIntermediateDirectories: true)
        let outside = dir.path + "/outside"
        try makeTar(
            dir.path + "/t.tar",
            [
                Entry(name: "/", kind: .directory),
                Entry(name: outside + "/pwned", kind: .regular, data: "inside"),
                Entry(name: "//etc/passwd", kind: .regular, data: "root"),
                Entry(name: "h", kind: .hardlink, link: "/etc/passwd"),
            ])
        for mode in [WhiteoutMode.apply, .overlay] {
            let root = dir.path + "/root-\(mode)"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try TarExtractor.extract(try TarReader(path: dir.path + "/t.tar", compression: .none), into: root, whiteouts: mode)
            #expect(dir.read("root-\(mode)" + outside + "/pwned") == "inside")
            #expect(dir.read("root-\(mode)/etc/passwd") == "root")
            #expect(dir.read("root-\(mode)/h") == "root")
            #expect(dir.tree("outside") == ["secret"])
            #expect(dir.read("outside/secret") == "keep me")
        }
    }

    @Test func extractsFilesLinksAndDigest() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try FileManager.default.createDirectory(atPath: dir.path + "/root", withIntermediateDirectories: true)
        try makeTar(
            dir.path + "/t.tar",
            [
                Entry(name: "./etc/", kind: .directory),
                Entry(name: "etc/passwd", kind: .regular, data: "root:x:0:0\n"),
                Entry(name: "etc/hard", kind: .hardlink, link: "etc/passwd"),
                Entry(name: "etc/soft", kind: .symlink, link: "/etc/passwd"),
                Entry(name: "a/../b", kind: .regular, data: "b"),
            ])
        let reader = try TarReader(path: dir.path + "/t.tar", compression: .none)
        let result = try TarExtractor.extract(reader, into: dir.path + "/root", whiteouts: .apply)
        let check = try TarReader(path: dir.path + "/t.tar", compression: .none)
        #expect(try check.finish() == result.stream)
        #expect(result.implicitDirectories.isEmpty)
        #expect(dir.read("root/etc/passwd") == "root:x:0:0\n")
        #expect(dir.read("root/b") == "b")
        #expect(dir.info("root/etc/hard")?.st_ino == dir.info("root/etc/passwd")?.st_ino)
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: dir.path + "/root/etc/soft")
        #expect(target == "/etc/passwd")
    }

    @Test func whiteoutsInOverlayModeBecomeMarkers() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try FileManager.default.createDirectory(atPath: dir.path + "/root", withIntermediateDirectories: true)
        try makeTar(
            dir.path + "/t.tar",
            [
                Entry(name: "d/", kind: .directory),
                Entry(name: "d/.wh..wh..opq", kind: .regular, data: ""),
                Entry(name: "d/new", kind: .regular),
                Entry(name: ".wh.gone", kind: .regular, data: ""),
            ])
        let reader = try TarReader(path: dir.path + "/t.tar", compression: .none)
        _ = try TarExtractor.extract(reader, into: dir.path + "/root", whiteouts: .overlay)
        let marker = try #require(dir.info("root/gone"))
        #expect(marker.st_mode & S_IFMT == S_IFCHR)
        #expect(marker.st_rdev == 0)
        #expect(!dir.exists("root/.wh.gone"))
        var value = [UInt8](repeating: 0, count: 8)
        let n = lgetxattr(dir.path + "/root/d", "trusted.overlay.opaque", &value, value.count)
        #expect(n == 1 && value[0] == UInt8(ascii: "y"))
        #expect(dir.tree("root/d") == ["new"])
    }

    @Test func whiteoutsInApplyModeRemoveLowerEntries() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try dir.write("root/gone/deep", "lower")
        try dir.write("root/keep", "lower")
        try dir.write("root/d/lower1", "lower")
        try dir.write("root/d/sub/lower2", "lower")
        try makeTar(
            dir.path + "/t.tar",
            [
                Entry(name: "d/", kind: .directory),
                Entry(name: "d/early", kind: .regular),
                Entry(name: "d/implied/file", kind: .regular),
                Entry(name: "d/.wh..wh..opq", kind: .regular, data: ""),
                Entry(name: "d/late", kind: .regular),
                Entry(name: ".wh.gone", kind: .regular, data: ""),
                Entry(name: ".wh.never-existed", kind: .regular, data: ""),
            ])
        let reader = try TarReader(path: dir.path + "/t.tar", compression: .none)
        _ = try TarExtractor.extract(reader, into: dir.path + "/root", whiteouts: .apply)
        #expect(dir.tree("root") == ["d", "d/early", "d/implied", "d/implied/file", "d/late", "keep"])
    }

    /// Directory modes and times are applied when extraction ends; a directory that a later entry replaced
    /// by a symlink must not lead that late update outside the root.
    @Test(arguments: [WhiteoutMode.apply, .overlay])
    func lateDirectoryFixupsDoNotFollowAReplacingSymlink(_ mode: WhiteoutMode) throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try FileManager.default.createDirectory(atPath: dir.path + "/outside/sub", withIntermediateDirectories: true)
        chmod(dir.path + "/outside/sub", 0o755)
        let before = try #require(dir.info("outside/sub"))
        try FileManager.default.createDirectory(atPath: dir.path + "/root", withIntermediateDirectories: true)
        let writer = try TarWriter(path: dir.path + "/t.tar")
        try writer.add("a/", kind: .directory, mode: 0o755)
        try writer.add("a/sub/", kind: .directory, mode: 0o777, mtime: 12345)
        try writer.add("a", kind: .symlink, link: "../outside")
        _ = try writer.finish()
        let reader = try TarReader(path: dir.path + "/t.tar", compression: .none)
        _ = try? TarExtractor.extract(reader, into: dir.path + "/root", whiteouts: mode)
        let after = try #require(dir.info("outside/sub"))
        #expect(after.st_mode & 0o7777 == 0o755)
        #expect(after.st_mtim.tv_sec == before.st_mtim.tv_sec)
    }

    @Test func overlayAttributesFromTheLayerAreDropped() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try dir.write("src/d/f", "data")
        #expect(lsetxattr(dir.path + "/src/d", "trusted.overlay.opaque", "y", 1, 0) == 0)
        #expect(lsetxattr(dir.path + "/src/d", "user.keep", "1", 1, 0) == 0)
        _ = try TarPacker.packTar(directory: dir.path + "/src", to: dir.path + "/t.tar")
        try FileManager.default.createDirectory(atPath: dir.path + "/root", withIntermediateDirectories: true)
        let reader = try TarReader(path: dir.path + "/t.tar", compression: .none)
        _ = try TarExtractor.extract(reader, into: dir.path + "/root", whiteouts: .overlay)
        var value = [UInt8](repeating: 0, count: 8)
        #expect(lgetxattr(dir.path + "/root/d", "trusted.overlay.opaque", &value, value.count) < 0)
        #expect(lgetxattr(dir.path + "/root/d", "user.keep", &value, value.count) == 1)
        #expect(dir.read("root/d/f") == "data")
    }

    /// Found by FuzzTarNames: read as Characters, `/` followed by a combining mark is no separator, so
    /// `../\u{301}x/.wh.y` was cleaned to itself and the extractor created `\u{301}x` beside the root (and in
    /// overlay mode a whiteout device inside it) before libarchive's `..` check could refuse anything.
    @Test(arguments: [WhiteoutMode.apply, .overlay])
    func aCombiningMarkAfterASlashDoesNotHideDotDot(_ mode: WhiteoutMode) throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try FileManager.default.createDirectory(atPath: dir.path + "/root", withIntermediateDirectories: true)
        for name in ["../\u{301}x/.wh.y", "../\u{301}x/y", "a/../../\u{301}x/y"] {
            try makeTar(dir.path + "/t.tar", [Entry(name: name, kind: .regular, data: "")])
            let reader = try TarReader(path: dir.path + "/t.tar", compression: .none)
            let error = #expect(throws: TarError.self) {
                try TarExtractor.extract(reader, into: dir.path + "/root", whiteouts: mode)
            }
            #expect(error?.code == "archive-unsafe-path", "\(name.unicodeScalars.map { $0.escaped(asASCII: true) }.joined())")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["root", "t.tar"])
        }
    }

    @Test func invalidWhiteoutNameIsRejected() throws {
        let dir = try Scratch()
        defer { dir.cleanup() }
        try FileManager.default.createDirectory(atPath: dir.path + "/root", withIntermediateDirectories: true)
        try makeTar(dir.path + "/t.tar", [Entry(name: "d/.wh..", kind: .regular, data: "")])
        let reader = try TarReader(path: dir.path + "/t.tar", compression: .none)
        let error = #expect(throws: TarError.self) {
            try TarExtractor.extract(reader, into: dir.path + "/root", whiteouts: .apply)
        }
        #expect(error?.code == "archive-invalid-whiteout")
    }
}
