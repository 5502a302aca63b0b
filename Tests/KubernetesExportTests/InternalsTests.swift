import Foundation
import Manifest
import Testing

@testable import KubernetesExport

@Suite("YAML and naming internals")
struct InternalsTests {
    static let awkwardStrings = [
        "", "true", "False", "yes", "No", "on", "OFF", "y", "n", "null", "~", "1777", "0x1F", "1e3", "0.5", ".inf", "-1",
        "1_000", "12:30", "a: b", "a:", "#x", "a #b", "- x", "-c", "? x", "@foo", "`cmd`", "*alias", "&anchor", "!tag",
        "%dir", "{a}", "[a]", "'q'", "\"dq\"", "back\\slash", "multi\nline", "tab\there", "trailing ", " leading",
        "ünïcode ✓", "\u{85}nel", "line\u{2028}sep", "bell\u{07}", "$(VAR)", "berth.local/busybox:demo", "name@sha256:ab",
        "/abs/path", "plain-word", "Key.With_Mixed-Chars",
    ]

    /// Every awkward string survives a round trip through a real YAML parser (PyYAML) as a string.
    @Test func emittedYAMLParsesBackToTheSameValues() throws {
        try KubeValidate.require()
        var entries: [String: YAMLValue] = [:]
        for (i, text) in Self.awkwardStrings.enumerated() {
            entries[String(format: "k%02d", i)] = .string(text)
            entries[text.isEmpty ? "empty-key" : text] = .list([.string(text), .int(Int64(i)), .bool(i % 2 == 0)])
        }
        entries["nested"] = .list([.map(["a": .map(["b": .list([.string("c")])])]), .list([.string("x")]), .map([:]), .list([])])
        let yaml = YAMLValue.map(entries).emitted()
        let script = "import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read()), sort_keys=True, ensure_ascii=False))"
        let parsed = try runProgram(KubeValidate.python, ["-c", script], input: yaml)
        try #require(parsed.status == 0, "PyYAML rejected the emitted YAML: \(parsed.output)\n\(yaml)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(parsed.output.utf8)) as? [String: Any])
        for (i, text) in Self.awkwardStrings.enumerated() {
            #expect(object[String(format: "k%02d", i)] as? String == text, "string \(text.debugDescription) changed")
            let list = object[text.isEmpty ? "empty-key" : text] as? [Any]
            #expect(list?.first as? String == text, "key \(text.debugDescription) changed")
            #expect(list?.dropFirst().first as? Int == i)
            #expect(list?.last as? Bool == (i % 2 == 0))
        }
        let nested = try #require(object["nested"] as? [Any])
        #expect(nested.count == 4)
        #expect(((nested[0] as? [String: Any])?["a"] as? [String: Any])?["b"] as? [String] == ["c"])
        #expect(nested[1] as? [String] == ["x"])
    }

    @Test func keysAreSortedAndOutputIsStable() {
        let value = YAMLValue.map(["b": .int(1), "a": .map(["z": .bool(true), "m": .string("x")]), "c": .list([.string("y"), .string("w")])])
        #expect(value.emitted() == "a:\n  m: x\n  z: true\nb: 1\nc:\n- \"y\"\n- w\n")
    }

    /// Kubernetes' `$(VAR)` expansion with no variables defined: `$$` → `$`, anything else kept.
    static func kubernetesExpansion(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            if scalars[i] == "$", i + 1 < scalars.count, scalars[i + 1] == "$" {
                out.append("$")
                i += 2
            } else {
                out.append(scalars[i])
                i += 1
            }
        }
        return String(out)
    }

    @Test(arguments: ["$HOME", "$(id -u)", "$$", "$$$", "$$(x)", "a$", "$", "no dollars", "$(A)$(B)", "$$$$((x))"])
    func escapedTextSurvivesKubernetesExpansion(_ text: String) {
        let escaped = ContainerMapper.escapeExpansion(text)
        #expect(Self.kubernetesExpansion(escaped) == text)
        #expect(!escaped.contains("$(") || escaped.contains("$$("))
    }

    @Test(arguments: [
        ("web", "web"), ("my_app", "my-app"), ("a.b.c", "a-b-c"), ("trailing-", "trailing"), ("x_", "x"),
        (String(repeating: "a", count: 63), String(repeating: "a", count: 63)),
    ])
    func namesBecomeDNSLabels(_ name: String, _ expected: String) {
        #expect(KubernetesNames.label(from: name) == expected)
        #expect(KubernetesNames.isDNSLabel(expected))
    }

    @Test(arguments: [
        ("web", "web"), ("1web", "svc-1web"), ("9", "svc-9"),
        ("1" + String(repeating: "a", count: 62), "svc-1" + String(repeating: "a", count: 58)),
        ("1" + String(repeating: "a", count: 57) + "-bbbbb", "svc-1" + String(repeating: "a", count: 57)),
    ])
    func serviceNamesAreDNS1035Labels(_ label: String, _ expected: String) {
        let name = KubernetesNames.serviceName(from: label)
        #expect(name == expected)
        #expect(KubernetesNames.isDNSLabel(name) && name.first?.isLetter == true)
    }

    /// Port names must be IANA service names: at most 15 lowercase letters, digits and `-`, with a letter.
    @Test(arguments: PortProtocol.allCases)
    func portNamesAreServiceNames(_ proto: PortProtocol) {
        for port: UInt16 in [1, 80, 65535] {
            let name = PodPort(port: port, proto: proto).name
            #expect(name.count <= 15 && KubernetesNames.isDNSLabel(name) && name.contains { $0.isLetter } && !name.contains("--"))
        }
    }

    @Test(arguments: [
        ("tier", "web", true), ("example.com/owner", "a_b.c-d", true), ("bad key", "v", false), ("k", "ends-", false),
        ("k", "", true), ("a/b/c", "v", false), ("Example.com/x", "v", false), ("k", String(repeating: "v", count: 64), false),
    ])
    func labelRules(_ key: String, _ value: String, _ valid: Bool) {
        #expect((KubernetesNames.isQualifiedName(key) && KubernetesNames.isLabelValue(value)) == valid)
    }

    @Test(arguments: [
        ("16m", Int64(16) << 20), ("1g", Int64(1) << 30), ("4096", 4096), ("8K", 8 << 10), ("50%", nil), ("m", nil), ("", nil),
        ("99999999999999999999t", nil),
    ])
    func tmpfsSizes(_ text: String, _ bytes: Int64?) {
        #expect(Quantity.tmpfsSize(text) == bytes)
    }

    @Test func quantities() {
        #expect(Quantity.bytes(33_554_432) == "32Mi")
        #expect(Quantity.bytes(1000) == "1000")
        #expect(Quantity.bytes(3 << 30) == "3Gi")
        #expect(Quantity.cpu(0.5)?.text == "500m")
        #expect(Quantity.cpu(2)?.text == "2")
        #expect(Quantity.cpu(0.0001) == nil)
        #expect(Quantity.cpu(0.3333)?.exact == false)
    }
}
