import Testing
@testable import Manifest

/// ctr's `--mount` one-line parsing (containerd.md section 2).
@Suite struct MountLineTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var line: String
        var expected: Result<MountLine.Fields, MountLine.Problem>
        var testDescription: String { line }
    }

    static let cases: [Case] = [
        Case(
            line: "type=bind,src=/a,dst=/b,options=rbind:ro",
            expected: .success(.init(type: "bind", source: "/a", destination: "/b", options: ["rbind", "ro"]))),
        Case(
            line: "type=bind,source=/a,destination=/b",
            expected: .success(.init(type: "bind", source: "/a", destination: "/b"))),
        Case(
            line: "type=tmpfs,dst=/t,options=size=64m:uid=0",
            expected: .success(.init(type: "tmpfs", destination: "/t", options: ["size=64m", "uid=0"]))),
        Case(line: "\"src=/a,b\",dst=/c", expected: .success(.init(source: "/a,b", destination: "/c"))),
        Case(line: "\"src=say \"\"hi\"\"\",dst=/c", expected: .success(.init(source: "say \"hi\"", destination: "/c"))),
        Case(line: "dst=/c\nsrc=/ignored", expected: .success(.init(destination: "/c"))),
        Case(line: "type=bind,dest=/b", expected: .failure(.unknownKey("dest"))),
        Case(line: "type=bind,ro", expected: .failure(.syntax("expected key=value, got `ro`"))),
        Case(line: "src=a\"b", expected: .failure(.syntax("bare \" in non-quoted field"))),
        Case(line: "\"src=a\"x,dst=/b", expected: .failure(.syntax("extraneous or missing \" in quoted field"))),
        Case(line: "\"src=open", expected: .failure(.syntax("extraneous or missing \" in quoted field"))),
    ]

    @Test(arguments: cases)
    func parses(_ c: Case) {
        let actual = Result { () throws(MountLine.Problem) -> MountLine.Fields in try MountLine.parse(c.line) }
        #expect(actual == c.expected)
    }
}

@Suite struct ValueRulesTests {
    @Test(arguments: [
        ("4096", Int64(4096)), ("64m", 64 << 20), ("1g", 1 << 30), ("512K", 512 << 10), ("2mb", 2 << 20), ("8GB", 8 << 30),
    ])
    func parsesByteSizes(_ text: String, _ bytes: Int64) {
        #expect(ValueRules.bytes(text) == bytes)
    }

    @Test(arguments: ["12q", "", "m", "-5m", "1.5g", "64 m", "99999999999999999999", "9999999999999g"])
    func rejectsBadByteSizes(_ text: String) {
        #expect(ValueRules.bytes(text) == nil)
    }

    @Test(arguments: [
        "busybox", "berth.local/busybox:demo", "localhost:5000/a/b:v1.2", "docker.io/library/alpine:3.20",
        "berth.local/web-ckpt@sha256:" + String(repeating: "ab", count: 32), "a__b/c.d-e:Tag_1",
    ])
    func acceptsReferences(_ reference: String) {
        #expect(ValueRules.referenceProblem(reference) == nil)
    }

    @Test(arguments: [
        "", "has space", "UPPER/case", "name:", "name:bad/tag", "a//b", "-lead", "x@sha256:abc", "x@md5:" + String(repeating: "a", count: 64),
    ])
    func rejectsReferences(_ reference: String) {
        #expect(ValueRules.referenceProblem(reference) != nil)
    }

    @Test func cleansPathsLexically() {
        #expect(ValueRules.absolute("./a/../b//c/.", in: "/proj") == "/proj/b/c")
        #expect(ValueRules.absolute("/x/../../y", in: "/proj") == "/y")
        #expect(ValueRules.absolute(".", in: "/proj/") == "/proj")
    }

    @Test func suggestsCloseWordsOnly() {
        #expect(EditDistance.suggestion(for: "withns", among: ManifestRules.containerKeys) == "with-ns")
        #expect(EditDistance.suggestion(for: "Image", among: ManifestRules.containerKeys) == "image")
        #expect(EditDistance.suggestion(for: "completely-different", among: ManifestRules.containerKeys) == nil)
    }
}
