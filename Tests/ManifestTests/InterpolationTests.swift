import Testing
@testable import Manifest

@Suite struct InterpolationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var input: String
        var expected: Result<String, Interpolation.Failure>
        var testDescription: String { input }
    }

    static let variables = ["NAME": "web", "EMPTY": "", "PORT": "8080", "NESTED": "inner"]

    static let cases: [Case] = [
        Case(input: "plain text", expected: .success("plain text")),
        Case(input: "${NAME}", expected: .success("web")),
        Case(input: "$NAME-$PORT", expected: .success("web-8080")),
        Case(input: "pre-${NAME}-post", expected: .success("pre-web-post")),
        Case(input: "${UNSET}", expected: .success("")),
        Case(input: "${UNSET:-fallback}", expected: .success("fallback")),
        Case(input: "${EMPTY:-fallback}", expected: .success("fallback")),
        Case(input: "${EMPTY-fallback}", expected: .success("")),
        Case(input: "${UNSET-fallback}", expected: .success("fallback")),
        Case(input: "${NAME:-fallback}", expected: .success("web")),
        Case(input: "${UNSET:-${NESTED}}", expected: .success("inner")),
        Case(input: "${UNSET:-a:b}", expected: .success("a:b")),
        Case(input: "${NAME:+set}", expected: .success("set")),
        Case(input: "${EMPTY:+set}", expected: .success("")),
        Case(input: "${EMPTY+set}", expected: .success("set")),
        Case(input: "${NAME:?must be set}", expected: .success("web")),
        Case(input: "$$", expected: .success("$")),
        Case(input: "$${NAME}", expected: .success("${NAME}")),
        Case(input: "cost: $$5", expected: .success("cost: $5")),
        Case(
            input: "${UNSET:?set UNSET to a port}",
            expected: .failure(.init(message: "required variable `UNSET` is missing a value: set UNSET to a port"))),
        Case(input: "${EMPTY:?}", expected: .failure(.init(message: "required variable `EMPTY` is missing a value"))),
        Case(input: "${EMPTY?ok when empty}", expected: .success("")),
        Case(input: "${UNSET?gone}", expected: .failure(.init(message: "required variable `UNSET` is missing a value: gone"))),
        Case(input: "price $5", expected: .failure(.init(message: "invalid interpolation in `price $5`: use `$$` for a literal `$`"))),
        Case(input: "trailing $", expected: .failure(.init(message: "invalid interpolation in `trailing $`: use `$$` for a literal `$`"))),
        Case(
            input: "${NAME",
            expected: .failure(.init(message: "invalid interpolation in `${NAME`: expected `}`, `:-`, `-`, `:?`, `?`, `:+` or `+` after `${NAME`"))),
        Case(input: "${}", expected: .failure(.init(message: "invalid interpolation in `${}`: expected a variable name after `${`"))),
        Case(input: "${UNSET:-open", expected: .failure(.init(message: "invalid interpolation in `${UNSET:-open`: missing `}`"))),
    ]

    @Test(arguments: cases)
    func interpolates(_ c: Case) {
        let actual = Result { try Interpolation.interpolate(c.input, variables: Self.variables) }
            .mapError { $0 as? Interpolation.Failure ?? Interpolation.Failure(message: "\($0)") }
        #expect(actual == c.expected)
    }

    static let unsetCases: [(String, Set<String>)] = [
        ("$UNSET", ["UNSET"]), ("${UNSET}", ["UNSET"]), ("a-${UNSET}-$OTHER", ["UNSET", "OTHER"]),
        ("${UNSET:-d}", []), ("${UNSET-d}", []), ("${UNSET:+x}", []), ("${UNSET+x}", []), ("$$UNSET", []),
        ("${UNSET:-${INNER}}", ["INNER"]), ("$NAME", []),
    ]

    /// Which variables were read plainly while unset (the loader warns about these; defaults do not count).
    @Test(arguments: unsetCases)
    func unsetVariablesAreCollected(_ input: String, _ expected: Set<String>) throws {
        var unset: Set<String> = []
        _ = try Interpolation.interpolate(
            input, variables: Self.variables,
            unset: &unset)
        #expect(unset == expected)
    }

    @Test func anUnsetVariableIsAWarningAtItsValueNotAnError() throws {
        let text = """
            version: 1
            containers:
              web:
                image: berth.local/busybox:demo
                env:
                  TOKEN: "${NOT_SET_ANYWHERE}"
            """
        let manifest = try Support.load(text, environment: [:])
        #expect(manifest.container(named: "web")?.env == ["TOKEN="])
        #expect(manifest.warnings.count == 1)
        let warning = try #require(manifest.warnings.first)
        #expect(warning.severity == .warning)
        #expect(warning.description.contains(":6:14: warning: variable `NOT_SET_ANYWHERE` is not set"), "\(warning)")
        #expect(try Support.load(text, environment: ["NOT_SET_ANYWHERE": "x"]).warnings.isEmpty)
    }

    @Test func keysAreNotInterpolatedButValuesAre() throws {
        let text = """
            version: 1
            containers:
              web:
                image: berth.local/busybox:${TAG:-demo}
                labels: {"${KEY}": "${VALUE}"}
            """
        let web = try #require(try Support.load(text, environment: ["KEY": "k", "VALUE": "v"]).container(named: "web"))
        #expect(web.image == "berth.local/busybox:demo")
        #expect(web.labels == ["${KEY}": "v"])
    }

    @Test func typedFieldsTakeInterpolatedNumbersAndBooleans() throws {
        let text = """
            version: 1
            containers:
              web:
                image: berth.local/busybox:demo
                cpus: ${CPUS}
                pids-limit: "${PIDS}"
                tty: ${TTY}
                memory-limit: ${MEM}
            """
        let env = ["CPUS": "0.25", "PIDS": "12", "TTY": "true", "MEM": "2k"]
        let web = try #require(try Support.load(text, environment: env).container(named: "web"))
        #expect(web.cpus == 0.25)
        #expect(web.pidsLimit == 12)
        #expect(web.tty)
        #expect(web.memoryLimit == 2048)
        #expect(
            Support.diagnostics(text, environment: env.merging(["CPUS": "lots"]) { $1 })
                == ["berth.yaml:5:11: error: `cpus`: expected a number, got a string"])
    }

    @Test func dotEnvBesideTheManifestIsUsedAndTheEnvironmentWins() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.write(".env", "# defaults\nexport TAG=from-dotenv\nIMAGE_NAME='berth.local/busybox'\nCMD=\"echo hi\"\n")
        let text = """
            version: 1
            containers:
              web:
                image: ${IMAGE_NAME}:${TAG}
                args: ["${CMD}"]
            """
        let fromFile = try #require(try Support.load(text, directory: dir.path).container(named: "web"))
        #expect(fromFile.image == "berth.local/busybox:from-dotenv")
        #expect(fromFile.args == ["echo hi"])
        let overridden = try Support.load(text, directory: dir.path, environment: ["TAG": "shell"])
        #expect(overridden.container(named: "web")?.image == "berth.local/busybox:shell")
    }

    @Test func badDotEnvLinesAreReportedWithTheManifestProblems() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.write(".env", "GOOD=1\nnot a pair\n")
        let lines = Support.diagnostics("version: 1\ncontainers: {}\n", directory: dir.path)
        #expect(
            lines == [
                "\(dir.path)/.env:2:1: error: line `not a pair` is not `KEY=VALUE`",
                "berth.yaml:2:13: error: no containers defined; add at least one under `containers`",
            ])
    }
}
