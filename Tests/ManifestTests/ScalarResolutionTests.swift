import Testing
import Yams
@testable import Manifest

/// The shortcut before Yams' resolver never calls a scalar a string that the resolver would type otherwise.
struct ScalarResolutionTests {
    static let samples: [String] = [
        "", "~", "null", "Null", "NULL", "nULL", "yes", "Yes", "YES", "y", "n", "no", "NO", "true", "True", "TRUE",
        "tRue", "false", "off", "Off", "OFF", "on", "ON", "0", "-1", "+2", "0x1F", "0o17", "0b101", "1_000", "1:30",
        "3.14", ".5", "-.inf", ".nan", "1e10", "2026-11-29", "2026-11-29T04:50:15Z", "<<", "=", "name", "nginx",
        "berth.local/busybox:demo", "t", "f", "yesterday", "online", "offset", "nullable", "Truex", "x1", "/bin/sh",
        "sh -c 'echo hi'", "éclair", "_", "@x", "%d", "1", "10", "007", "08", "1234567890", "99999999999999999999", "1_0",
    ]

    @Test(arguments: samples)
    func shortcutAgreesWithTheResolver(_ text: String) {
        let resolved = Resolver.default.resolveTag(of: Node(text))
        if YAMLScalar.isCertainlyString(text) {
            #expect(resolved == .str, "\(text) resolves to \(resolved)")
        }
        if YAMLScalar.isPlainDecimal(text) {
            #expect(resolved == .int, "\(text) resolves to \(resolved)")
        }
        if let word = YAMLScalar.wordTags[text] {
            #expect(resolved == word, "\(text) resolves to \(resolved)")
        }
        let scalar = YAMLScalar(string: text, plain: true, tag: nil, line: 1, column: 1)
        #expect(scalar.resolvedTag == resolved)
    }

    @Test(arguments: samples)
    func boolWordsAreConstructedAsYamsDoes(_ text: String) {
        if Resolver.default.resolveTag(of: Node(text)) == .bool {
            #expect(YAMLReader.boolWord(text) == Bool.construct(from: Node.Scalar(text)), "\(text)")
        } else {
            #expect(YAMLReader.boolWord(text) == nil, "\(text)")
        }
    }

    @Test func commonManifestWordsTakeTheShortcut() {
        for word in ["name", "containers", "image", "args", "nginx", "berth.local/busybox:demo", "yesterday"] {
            #expect(YAMLScalar.isCertainlyString(word), "\(word)")
        }
        #expect(YAMLScalar.isPlainDecimal("1") && YAMLScalar.isPlainDecimal("300") && !YAMLScalar.isPlainDecimal("01"))
        for word in ["true", "false", "yes", "no", "on", "off", "null", "~", ""] {
            #expect(YAMLScalar.wordTags[word] != nil, "\(word)")
        }
    }
}
