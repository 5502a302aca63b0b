import Diagnostics
import Foundation
import KubernetesExport
import Manifest
import Testing

/// One export that must fail: the manifest's containers, options, and the error's code, category and location.
struct ErrorCase: CustomTestStringConvertible, Sendable {
    var name: String
    var containers: String
    var options = ExportOptions()
    var code: String
    var category: ErrorCategory
    var location: String?
    var mentions: [String]

    var testDescription: String { name }
}

private let tables = ImageUserTables(passwd: "www:x:33:34::/:/bin/false\n", group: "staff:x:50:\n")

let errorCases: [ErrorCase] = [
    ErrorCase(
        name: "user-name-without-store", containers: "  app: {image: busybox, user: www}\n",
        code: "user-unresolved", category: .runtime, location: "berth.yaml:4:31", mentions: ["www", "numeric uid"]),
    ErrorCase(
        name: "user-name-image-not-unpacked", containers: "  app: {image: busybox, user: www}\n",
        options: ExportOptions(userResolver: { _, _ in nil }),
        code: "user-unresolved", category: .runtime, location: "berth.yaml:4:31", mentions: ["not unpacked"]),
    ErrorCase(
        name: "unknown-user", containers: "  app: {image: busybox, user: nobody}\n",
        options: ExportOptions(userResolver: { _, user in try tables.resolve(user) }),
        code: "unknown-user", category: .manifest, location: "berth.yaml:4:31", mentions: ["nobody", "/etc/passwd"]),
    ErrorCase(
        name: "unknown-group", containers: "  app: {image: busybox, user: \"www:wheel\"}\n",
        options: ExportOptions(userResolver: { _, user in try tables.resolve(user) }),
        code: "unknown-group", category: .manifest, location: "berth.yaml:4:31", mentions: ["wheel", "/etc/group"]),
    ErrorCase(
        name: "group-file-missing", containers: "  app: {image: busybox, user: \"www:staff\"}\n",
        options: ExportOptions(userResolver: { _, user in try ImageUserTables(passwd: "www:x:33:34\n", group: nil).resolve(user) }),
        code: "unknown-group", category: .manifest, location: "berth.yaml:4:31", mentions: ["has no /etc/group"]),
    ErrorCase(
        name: "uid-out-of-range", containers: "  app: {image: busybox, user: \"4294967296\"}\n",
        code: "invalid-user", category: .manifest, location: "berth.yaml:4:31", mentions: ["out of range"]),
    ErrorCase(
        name: "pinned-image-missing", containers: "  app: {image: busybox}\n",
        options: ExportOptions(pinnedDigests: [:]),
        code: "image-not-found", category: .runtime, location: "berth.yaml:4:16", mentions: ["busybox", "--pin-digests"]),
    ErrorCase(
        name: "name-collision", containers: "  a-b: {image: busybox}\n  a_b: {image: busybox}\n",
        code: "name-collision", category: .manifest, location: "berth.yaml:5:3", mentions: ["a-b", "a_b"]),
]

@Suite("Export errors")
struct ExportErrorTests {
    @Test(arguments: errorCases)
    func failure(_ testCase: ErrorCase) throws {
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        let manifest = try loadManifest("version: 1\nname: errors\ncontainers:\n" + testCase.containers, in: scratch.path)
        let error = try #require(throws: KubernetesExportError.self) {
            try KubernetesExporter.export(manifest, options: testCase.options)
        }
        #expect(error.code == testCase.code)
        #expect(error.category == testCase.category)
        #expect(error.location?.description == testCase.location)
        for text in testCase.mentions {
            #expect(error.message.contains(text), "message \"\(error.message)\" does not mention \(text)")
        }
    }

    @Test(arguments: [
        ("www", NumericUser(uid: 33, gid: 34)),
        ("33", NumericUser(uid: 33, gid: nil)),
        ("www:staff", NumericUser(uid: 33, gid: 50)),
        ("www:7", NumericUser(uid: 33, gid: 7)),
        ("1000:staff", NumericUser(uid: 1000, gid: 50)),
    ])
    func userTablesResolve(_ user: String, _ expected: NumericUser) throws {
        #expect(try tables.resolve(user) == expected)
    }
}
