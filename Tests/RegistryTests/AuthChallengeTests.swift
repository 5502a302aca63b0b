import Testing
@testable import Registry

struct AuthChallengeTests {
    struct Case: Sendable, CustomStringConvertible {
        var header: String
        var scheme: String
        var parameters: [String: String]
        var description: String { header }
    }

    static let cases: [Case] = [
        Case(
            header: #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#,
            scheme: "bearer",
            parameters: [
                "realm": "https://auth.docker.io/token", "service": "registry.docker.io",
                "scope": "repository:library/alpine:pull",
            ]),
        Case(header: #"Basic realm="Registry Realm""#, scheme: "basic", parameters: ["realm": "Registry Realm"]),
        Case(
            header: #"Bearer realm="https://r.example/token", scope="repository:a/b:pull,push""#, scheme: "bearer",
            parameters: ["realm": "https://r.example/token", "scope": "repository:a/b:pull,push"]),
        Case(header: "Basic", scheme: "basic", parameters: [:]),
        Case(
            header: #"Bearer realm=unquoted,service="s\"q""#, scheme: "bearer",
            parameters: ["realm": "unquoted", "service": "s\"q"]),
        // A combining mark right after the opening quote or `=` forms one Character with it; scalars keep them apart.
        Case(
            header: "Bearer realm=\"\u{301}https://r.example/token\",service=\u{301}s", scheme: "bearer",
            parameters: ["realm": "\u{301}https://r.example/token", "service": "\u{301}s"]),
        Case(header: "Bearer realm=\"a\\\"\u{301}b\"", scheme: "bearer", parameters: ["realm": "a\"\u{301}b"]),
    ]

    @Test(arguments: cases)
    func parses(_ c: Case) throws {
        let challenge = try #require(AuthChallenge(header: c.header))
        #expect(challenge.scheme == c.scheme)
        #expect(challenge.parameters == c.parameters)
    }

    @Test func emptyHeaderIsNoChallenge() {
        #expect(AuthChallenge(header: "  ") == nil)
    }
}
