import Foundation
import Manifest
import OCI
import Testing

@testable import SpecBuilder

/// One user string resolved against a crafted rootfs.
struct UserCase: CustomTestStringConvertible, Sendable {
    var name: String
    var user: String
    var imageUser: String? = nil
    var passwd: String? = Fixtures.passwd
    var group: String? = Fixtures.group
    var uid: UInt32 = 0
    var gid: UInt32 = 0
    var additionalGids: [UInt32] = []
    var errorCode: String? = nil
    var errorMentions: [String] = []

    var testDescription: String { name }
}

let userCases: [UserCase] = [
    UserCase(name: "name", user: "app", uid: 1000, gid: 1000, additionalGids: [1000, 10, 50]),
    UserCase(name: "root by name", user: "root", uid: 0, gid: 0, additionalGids: [0, 10]),
    UserCase(name: "uid with entry", user: "33", uid: 33, gid: 33, additionalGids: [33, 29, 50]),
    UserCase(name: "uid without entry gets gid 0", user: "4000", uid: 4000, gid: 0, additionalGids: [0]),
    UserCase(name: "uid:gid needs no files", user: "7:8", passwd: nil, group: nil, uid: 7, gid: 8, additionalGids: [8]),
    UserCase(name: "name:group", user: "app:staff", uid: 1000, gid: 50, additionalGids: [50]),
    UserCase(name: "uid:group", user: "1000:audio", uid: 1000, gid: 29, additionalGids: [29]),
    UserCase(name: "name:gid ignores passwd gid", user: "www:7", uid: 33, gid: 7, additionalGids: [7]),
    UserCase(
        name: "unknown name", user: "ghost", errorCode: "unknown-user",
        errorMentions: ["\"ghost\"", "/etc/passwd", "no entry"]),
    UserCase(
        name: "unknown group", user: "app:ghosts", errorCode: "unknown-group",
        errorMentions: ["\"ghosts\"", "/etc/group"]),
    UserCase(
        name: "missing passwd with name", user: "app", passwd: nil, errorCode: "unknown-user",
        errorMentions: ["/etc/passwd does not exist"]),
    UserCase(name: "missing passwd with uid", user: "1000", passwd: nil, uid: 1000, gid: 0, additionalGids: [0]),
    UserCase(name: "missing group file", user: "app", group: nil, uid: 1000, gid: 1000, additionalGids: [1000]),
    UserCase(
        name: "missing group file with group name", user: "app:staff", group: nil, errorCode: "unknown-group",
        errorMentions: ["/etc/group does not exist"]),
    UserCase(
        name: "supplementary groups exclude own-name group", user: "app",
        group: "app:x:1000:app\nwheel:x:10:app\ndocker:x:999:other,app\n",
        uid: 1000, gid: 1000, additionalGids: [1000, 10, 999]),
    UserCase(
        name: "primary gid already supplementary keeps file order", user: "app",
        group: "wheel:x:10:app\nappgroup:x:1000:app\n", uid: 1000, gid: 1000, additionalGids: [10, 1000]),
    UserCase(name: "uid out of range", user: "2147483648", errorCode: "invalid-user", errorMentions: ["out of range"]),
    UserCase(name: "negative uid", user: "-1", errorCode: "invalid-user", errorMentions: ["out of range"]),
    UserCase(
        name: "gid out of range", user: "0:99999999999999999999", errorCode: "invalid-user",
        errorMentions: ["gid out of range"]),
    UserCase(
        name: "max uid accepted", user: "2147483647:2147483647", uid: 2_147_483_647, gid: 2_147_483_647,
        additionalGids: [2_147_483_647]),
    UserCase(name: "too many colons", user: "a:b:c", errorCode: "invalid-user", errorMentions: ["a:b:c"]),
    UserCase(name: "empty group part", user: "app:", errorCode: "invalid-user", errorMentions: ["empty group"]),
    UserCase(
        name: "image user resolved by uid for groups", user: "", imageUser: "app",
        uid: 1000, gid: 1000, additionalGids: [1000, 10, 50]),
    UserCase(
        name: "image uid:gid gets groups of the uid's name", user: "", imageUser: "1000:1000",
        uid: 1000, gid: 1000, additionalGids: [1000, 10, 50]),
    UserCase(
        name: "comments and blank lines skipped", user: "app",
        passwd: "# users\n\nroot:x:0:0::/root:/bin/sh\n  \napp:x:1000:1000::/home/app:/bin/sh\n",
        uid: 1000, gid: 1000, additionalGids: [1000, 10, 50]),
]

@Suite("User resolution")
struct UserResolutionTests {
    @Test(arguments: userCases)
    func resolve(_ testCase: UserCase) throws {
        let dir = try TempDirectory("user")
        let rootfs = try dir.mkdir("rootfs/etc")
        if let passwd = testCase.passwd { try dir.write("rootfs/etc/passwd", passwd) }
        if let group = testCase.group { try dir.write("rootfs/etc/group", group) }
        var container = ContainerDefinition(name: "u", image: "img", args: ["/bin/true"])
        if !testCase.user.isEmpty { container.user = testCase.user }
        let input = SpecInput(
            project: "p", stateRootID: "0123456789ab", container: ResolvedContainer(resolving: container),
            imageConfig: Fixtures.image(user: testCase.imageUser),
            rootfsPath: (rootfs as NSString).deletingLastPathComponent, hostHostname: "h")
        if let code = testCase.errorCode {
            let error = try #require(throws: SpecError.self) { try SpecBuilder.build(input) }
            #expect(error.code == code)
            for text in testCase.errorMentions {
                #expect(error.message.contains(text), "message \"\(error.message)\" should mention \(text)")
            }
            return
        }
        let user = try #require(try SpecBuilder.build(input).process).user
        #expect(user.uid == testCase.uid)
        #expect(user.gid == testCase.gid)
        #expect(user.additionalGids == testCase.additionalGids)
    }

    /// Comments, blank lines, CRLF endings, blanks around fields and members, malformed lines.
    @Test func databaseLinesSkipCommentsBlanksAndMalformedEntries() {
        let passwd =
            "# users\r\n\n  root:x:0:0:root:/root:/bin/sh  \r\napp:x:1000:1000::/home/app:\nbroken:x:nine:1\nshort:x:5\n\t#indented comment\n"
        #expect(
            UserDatabase.parsePasswd(passwd) == [
                PasswdEntry(name: "root", uid: 0, gid: 0), PasswdEntry(name: "app", uid: 1000, gid: 1000),
            ])
        let group = "wheel:x:10:root, app ,\r\nempty:x:20:\nnone:x:30\nbad:x:-:app\nütf:x:40:ünï\n"
        #expect(
            UserDatabase.parseGroup(group) == [
                GroupEntry(name: "wheel", gid: 10, members: ["root", "app"]), GroupEntry(name: "empty", gid: 20, members: []),
                GroupEntry(name: "none", gid: 30, members: []), GroupEntry(name: "ütf", gid: 40, members: ["ünï"]),
            ])
    }

    @Test func passwdFoundThroughSymlinkInsideRootfs() throws {
        let dir = try TempDirectory("user-link")
        try dir.write("outside/passwd", "app:x:1:1::/:/bin/sh\n")
        try dir.write("rootfs/real/passwd", "app:x:1000:1000::/:/bin/sh\n")
        // An absolute target is resolved inside the rootfs, never on the host.
        try dir.symlink("rootfs/etc/passwd", to: "/real/passwd")
        // A `..` escape stays at the rootfs root.
        try dir.symlink("rootfs/etc/group", to: "../../../../outside/group")
        var container = ContainerDefinition(name: "u", args: ["/bin/true"], rootfs: dir.path + "/rootfs")
        container.user = "app"
        let spec = try SpecBuilder.build(
            SpecInput(
                project: "p", stateRootID: "0123456789ab", container: ResolvedContainer(resolving: container),
                rootfsPath: dir.path + "/rootfs", hostHostname: "h"))
        #expect(spec.process?.user.uid == 1000)
        #expect(spec.process?.user.additionalGids == [1000])
    }

    @Test func oversizedPasswdIsRejected() throws {
        let dir = try TempDirectory("user-big")
        let line = "app:x:1000:1000::/:/bin/sh\n"
        try dir.write("rootfs/etc/passwd", String(repeating: line, count: (10 << 20) / line.utf8.count + 1))
        var container = ContainerDefinition(name: "u", args: ["/bin/true"], rootfs: dir.path + "/rootfs")
        container.user = "app"
        let error = try #require(throws: SpecError.self) {
            try SpecBuilder.build(
                SpecInput(
                    project: "p", stateRootID: "0123456789ab", container: ResolvedContainer(resolving: container), rootfsPath: dir.path + "/rootfs",
                    hostHostname: "h"))
        }
        #expect(error.code == "file-too-large")
        #expect(error.message.contains("/etc/passwd"))
    }
}
