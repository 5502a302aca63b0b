import BerthSystem
import Diagnostics
import Testing

struct NamesTests {
    /// Values a hostile or careless user can pass as `-p`, a manifest name or a saved plan's field.
    static let hostile: [String] = [
        "", ".", "..", "/", "../..", "../../decoy", "..\\..", "a/b", "/etc", "feature/login-page", "x y", " x", "x ",
        "a\0b", "\0", "a\nb", "line\r", "tab\there", "UPPER", "Web", "-x", "_x", ".hidden", "a:b", "a,b", "a;b",
        "$(id)", "`id`", "a*", "~root", "a\u{0}", String(repeating: "a", count: 64), String(repeating: "a", count: 4096),
        "ａ", "wеb" /* Cyrillic е */, "web\u{200B}", "ℌ", "é", "a\u{301}", "\u{FEFF}web", "👍", "a%2f..",
    ]

    @Test(arguments: hostile)
    func hostileProjectNamesAreRefused(_ value: String) {
        #expect(!Names.isValid(value, .project))
        #expect(throws: NameError.self) { try Names.validate(value, .project, source: "-p/--project-name") }
    }

    @Test(arguments: hostile)
    func hostileContainerNamesAreRefused(_ value: String) {
        #expect(!Names.isValid(value, .container))
    }

    @Test(arguments: ["a", "web", "db-1", "my_app", "0", String(repeating: "z", count: 63)])
    func ordinaryNamesAreAccepted(_ value: String) throws {
        #expect(try Names.validate(value, .project, source: "test") == value)
        #expect(Names.isValid(value, .container))
    }

    @Test(arguments: hostile)
    func hostileNetworkNamesAreRefused(_ value: String) {
        #expect(!Names.isValid(value, .network))
    }

    @Test func networkNamesFollowTheContainerRule() {
        #expect(Names.isValid("shop_default", .network) && Names.isValid("front.v2", .network))
        #expect(NameKind.network.rule == NameKind.container.rule)
    }

    @Test func aDotIsAContainerNameCharacterButNotAProjectOne() {
        #expect(Names.isValid("api.v2", .container))
        #expect(!Names.isValid("api.v2", .project))
    }

    @Test func theErrorNamesTheSourceAndTheRuleAndEscapesTheValue() {
        let error = NameError(kind: .project, value: "../x\ny\0", source: "-p/--project-name")
        #expect(
            error.message
                == #"invalid project name "../x\ny\0" (-p/--project-name): lowercase letters, digits, `_` and `-`, starting with a letter or digit, at most 63 characters (^[a-z0-9][a-z0-9_-]{0,62}$)"#
        )
        #expect(error.category == ErrorCategory.usage)
        #expect(!error.message.contains("\n"))
    }

    @Test func longValuesAreCutInMessages() {
        let quoted = Names.quoted(String(repeating: "a", count: 500))
        #expect(quoted.count == 83)
        #expect(quoted.hasSuffix("…\""))
    }

    @Test(
        arguments: [
            ("Demo App", "demo-app"), ("_hidden.stack", "hidden-stack"), ("stack_1.2-x", "stack_1-2-x"), ("ÜBER", "ber"),
            ("___", nil), ("", nil), ("..", nil),
        ] as [(String, String?)])
    func directoryNamesAreNormalizedToValidProjectNames(_ raw: String, _ expected: String?) {
        #expect(Names.normalizedProjectName(raw) == expected)
    }
}

@Suite struct HostNameRuleTests {
    @Test(arguments: [
        ("web", true, true), ("web.shop", true, true), ("web_1", false, true), ("a..b", false, false), ("-web", false, false),
        ("web-", false, false), (String(repeating: "a", count: 64), false, false), ("", false, false), ("wéb", false, false),
        ("a/b", false, false), (".web", false, false),
    ])
    func oneRuleWithAndWithoutUnderscore(_ name: String, _ hostname: Bool, _ hostsEntry: Bool) {
        #expect(Names.isValidHostName(name) == hostname)
        #expect(Names.isValidHostName(name, allowingUnderscore: true) == hostsEntry)
    }
}
