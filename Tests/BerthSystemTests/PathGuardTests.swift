import BerthSystem
import Foundation
import Testing

struct PathGuardTests {
    let base: String

    init() throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("berth-guard-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: base + "/root/containers", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: base + "/outside", withIntermediateDirectories: true)
    }

    var root: String { base + "/root" }

    @Test func pathsInsideTheRootPass() throws {
        #expect(try PathGuard.check(root + "/containers/p/web", inside: root, operation: "create") == root + "/containers/p/web")
        #expect(try PathGuard.check(root + "/state.db", inside: root, operation: "create") == root + "/state.db")
    }

    @Test(arguments: ["/..", "/../outside", "/containers/../../outside/x", "", "/.", "/containers/../.."])
    func lexicalEscapesAreRefused(_ suffix: String) {
        #expect(throws: PathEscapeError.self) { try PathGuard.check(root + suffix, inside: root, operation: "delete") }
    }

    @Test func relativeAndForeignPathsAreRefused() {
        #expect(throws: PathEscapeError.self) { try PathGuard.check("containers/x", inside: root, operation: "delete") }
        #expect(throws: PathEscapeError.self) { try PathGuard.check("/etc/passwd", inside: root, operation: "delete") }
        #expect(throws: PathEscapeError.self) { try PathGuard.check(root + "x/y", inside: root, operation: "delete") }
    }

    @Test func aSymlinkedDirectoryInsideCannotRedirectOutside() throws {
        try FileManager.default.createSymbolicLink(atPath: root + "/containers/evil", withDestinationPath: base + "/outside")
        #expect(throws: PathEscapeError.self) {
            try PathGuard.check(root + "/containers/evil/victim", inside: root, operation: "delete")
        }
        // The link itself is inside: removing it is allowed.
        #expect(try PathGuard.check(root + "/containers/evil", inside: root, operation: "delete") == root + "/containers/evil")
    }

    @Test func aRootReachedThroughASymlinkStillWorks() throws {
        try FileManager.default.createSymbolicLink(atPath: base + "/link", withDestinationPath: root)
        #expect(try PathGuard.check(base + "/link/containers/p", inside: base + "/link", operation: "create") == base + "/link/containers/p")
    }

    @Test func combiningMarksDoNotHideSeparatorsOrDotDot() {
        // "/\u{301}" and "..\u{301}" are single graphemes to Swift, but the kernel sees `/` and `..` bytes.
        #expect(PathGuard.clean("/r/a/..\u{301}/x") == "/r/a/..\u{301}/x")
        #expect(PathGuard.clean("/r/a/\u{301}/../x") == "/r/a/x")
        #expect(PathGuard.clean("/r/../\u{301}") == "/\u{301}")
        #expect(throws: PathEscapeError.self) { try PathGuard.check(root + "/../\u{301}", inside: root, operation: "delete") }
        #expect(throws: PathEscapeError.self) { try PathGuard.check(root + "/x/../../\u{301}y", inside: root, operation: "delete") }
    }

    @Test func canonicallyEquivalentSpellingsAreDifferentDirectories() throws {
        let nfc = base + "/caf\u{E9}", nfd = base + "/cafe\u{301}"
        try FileManager.default.createDirectory(atPath: nfc, withIntermediateDirectories: true)
        #expect(throws: PathEscapeError.self) { try PathGuard.check(nfd + "/x", inside: nfc, operation: "delete") }
    }
}
