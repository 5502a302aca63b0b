import Testing
@testable import ImageStore

@Suite struct ImageReferenceTests {
    struct Case: Sendable, CustomStringConvertible {
        var input: String
        var normalized: String
        var name: String
        var tag: String?
        var description: String { input }
    }

    static let digest = "sha256:" + String(repeating: "a", count: 64)

    static let cases: [Case] = [
        Case(input: "busybox", normalized: "docker.io/library/busybox:latest", name: "docker.io/library/busybox", tag: "latest"),
        Case(input: "busybox:1.36", normalized: "docker.io/library/busybox:1.36", name: "docker.io/library/busybox", tag: "1.36"),
        Case(input: "library/busybox", normalized: "docker.io/library/busybox:latest", name: "docker.io/library/busybox", tag: "latest"),
        Case(input: "docker.io/busybox", normalized: "docker.io/library/busybox:latest", name: "docker.io/library/busybox", tag: "latest"),
        Case(input: "index.docker.io/foo/bar", normalized: "docker.io/foo/bar:latest", name: "docker.io/foo/bar", tag: "latest"),
        Case(input: "user/app:v2", normalized: "docker.io/user/app:v2", name: "docker.io/user/app", tag: "v2"),
        Case(input: "berth.local/busybox:demo", normalized: "berth.local/busybox:demo", name: "berth.local/busybox", tag: "demo"),
        Case(input: "localhost/x", normalized: "localhost/x:latest", name: "localhost/x", tag: "latest"),
        Case(input: "localhost:5000/a/b:t", normalized: "localhost:5000/a/b:t", name: "localhost:5000/a/b", tag: "t"),
        Case(input: "quay.io/org/img@" + digest, normalized: "quay.io/org/img@" + digest, name: "quay.io/org/img", tag: nil),
        Case(
            input: "busybox:1@" + digest, normalized: "docker.io/library/busybox:1@" + digest,
            name: "docker.io/library/busybox", tag: "1"),
    ]

    @Test(arguments: cases)
    func normalizes(_ item: Case) throws {
        let reference = try ImageReference(parsing: item.input)
        #expect(reference.description == item.normalized)
        #expect(reference.name == item.name)
        #expect(reference.tag == item.tag)
    }

    @Test(arguments: ["", "Busybox", "busybox:", "busybox@sha256:abc", "a//b", "-x", "busybox:bad/tag", "a:b:c"])
    func rejects(_ input: String) {
        let error = #expect(throws: ImageStoreError.self) { try ImageReference(parsing: input) }
        #expect(error?.code == "invalid-reference")
        #expect(error?.message.contains("\"\(input)\"") == true)
    }
}
