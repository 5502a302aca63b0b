import Manifest
import Testing

@testable import SpecBuilder

struct EnvMergeCase: CustomTestStringConvertible, Sendable {
    var name: String
    var base: [String]
    var overrides: [String]
    var expected: [String]
    var testDescription: String { name }
}

@Suite("Environment")
struct EnvironmentTests {
    static let mergeCases: [EnvMergeCase] = [
        EnvMergeCase(
            name: "replace in place keeps order", base: ["PATH=p", "LANG=C"], overrides: ["LANG=en", "PATH=/x"],
            expected: ["PATH=/x", "LANG=en"]),
        EnvMergeCase(name: "unknown keys append", base: ["A=1"], overrides: ["B=2", "C=3"], expected: ["A=1", "B=2", "C=3"]),
        EnvMergeCase(name: "unknown key twice duplicates", base: [], overrides: ["A=1", "A=2"], expected: ["A=1", "A=2"]),
        EnvMergeCase(name: "bare key unsets", base: ["A=1", "B=2"], overrides: ["A"], expected: ["B=2"]),
        EnvMergeCase(name: "bare unknown key dropped", base: ["A=1"], overrides: ["Z"], expected: ["A=1"]),
        EnvMergeCase(name: "unset then set again", base: ["A=1", "B=2"], overrides: ["A", "A=3"], expected: ["A=3", "B=2"]),
        EnvMergeCase(name: "value with equals", base: ["A=1"], overrides: ["A=x=y"], expected: ["A=x=y"]),
        EnvMergeCase(name: "empty value is a set", base: ["A=1"], overrides: ["A="], expected: ["A="]),
        EnvMergeCase(
            name: "containerd example", base: ["PATH=p", "LANG=C"],
            overrides: ["A=1", "LANG=en", "B=2", "PATH=/x"], expected: ["PATH=/x", "LANG=en", "A=1", "B=2"]),
    ]

    @Test(arguments: mergeCases)
    func replaceOrAppend(_ testCase: EnvMergeCase) {
        #expect(Environment.replaceOrAppend(testCase.base, testCase.overrides) == testCase.expected)
    }

    @Test func envFileSkipsCommentsAndBlankLines() {
        let text = "# header\nA=1\n\n   \nB=two words\r\n  # indented comment\nUNSET\nC=#not-a-comment\n"
        #expect(Environment.parseFile(text) == ["A=1", "B=two words", "UNSET", "C=#not-a-comment"])
    }

    @Test func unreadableEnvFileIsAClearError() throws {
        var container = Manifest.ContainerDefinition(name: "c", args: ["/bin/true"], rootfs: "/nonexistent")
        container.envFiles = ["/nonexistent/berth/app.env"]
        let error = try #require(throws: SpecError.self) {
            try SpecBuilder.build(
                SpecInput(
                    project: "p", stateRootID: "0123456789ab", container: ResolvedContainer(resolving: container), rootfsPath: "/nonexistent",
                    hostHostname: "h"))
        }
        #expect(error.code == "unreadable-env-file")
        #expect(error.message.contains("/nonexistent/berth/app.env"))
    }
}

@Suite("Capabilities")
struct CapabilityTests {
    @Test func defaultCapabilitiesAreTheCapEffMaskRuncReports() {
        let names = SpecInput.capabilities(fromStatus: "Name:\tx\nCapEff:\t00000000a80425fb\n")
        #expect(Set(names) == Set(DefaultSpec.capabilities))
        #expect(names.count == 14)
    }

    @Test func hostMaskWithAGapLeavesThatCapabilityOut() {
        let names = SpecInput.capabilities(fromStatus: "CapPrm:\t0\nCapEff:\t000001fffeffffff\n")
        #expect(names.count == 40)
        #expect(!names.contains("CAP_SYS_RESOURCE"))
        #expect(names.last == "CAP_CHECKPOINT_RESTORE")
    }

    @Test func unreadableStatusGivesNoCapabilities() {
        #expect(SpecInput.capabilities(fromStatus: "CapEff:\tnothex\n").isEmpty)
        #expect(SpecInput.capabilities(fromStatus: "").isEmpty)
    }
}
