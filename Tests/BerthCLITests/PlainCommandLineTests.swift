import ArgumentParser
import Testing

@testable import BerthCLI

/// The hot commands read without ArgumentParser (`PlainCommandLine`) come out exactly as ArgumentParser
/// fills them, option for option; what the plain reading does not take is left to ArgumentParser.
struct PlainCommandLineTests {
    struct Line: CustomTestStringConvertible, Sendable {
        var command: String
        var arguments: [String]
        var testDescription: String { ([command] + arguments).joined(separator: " ") }
    }

    static let plainLines: [Line] = [
        Line(command: "apply", arguments: []),
        Line(command: "apply", arguments: ["-f", "berth.yaml", "--wait"]),
        Line(command: "apply", arguments: ["--file=a.yaml", "-f", "b.yaml", "-p", "proj", "--state-root", "/s", "--dry-run", "--prune"]),
        Line(command: "apply", arguments: ["plan.json", "--force-recreate", "--cni-path", "/opt/cni", "--insecure-registry", "r:5000"]),
        Line(command: "apply", arguments: ["--profile", "debug", "--profile=web", "--strict", "--build", "--ca-cert", "ca.pem", "--wait"]),
        Line(command: "apply", arguments: ["--no-build", "--project-name=p1"]),
        Line(command: "plan", arguments: []),
        Line(command: "plan", arguments: ["-f", "x.yaml", "-o", "saved.json", "--format", "json", "--detailed-exitcode"]),
        Line(command: "plan", arguments: ["--show-values", "--force-recreate", "--state-root=/r", "-p", "proj", "--output=o.json"]),
        Line(command: "ps", arguments: []),
        Line(command: "ps", arguments: ["-p", "proj", "--format", "json", "--state-root", "/s"]),
    ]

    static func parsed(_ line: Line) throws -> any ParsableCommand {
        let type = try #require(BerthCommand.hotCommands[line.command])
        return try type.parseAsRoot(line.arguments)
    }

    @Test(arguments: plainLines)
    func plainReadingAgreesWithArgumentParser(_ line: Line) throws {
        let plain = try #require(BerthCommand.plainCommands[line.command]?(line.arguments), "not read plainly")
        // Every property wrapper's state, nested groups included: an option the plain reading forgot to set
        // would show as a definition where ArgumentParser has a value.
        #expect(String(reflecting: plain) == String(reflecting: try Self.parsed(line)))
    }

    static let otherLines: [Line] = [
        Line(command: "apply", arguments: ["--help"]),
        Line(command: "apply", arguments: ["-fberth.yaml"]),
        Line(command: "apply", arguments: ["--unknown"]),
        Line(command: "apply", arguments: ["--wait", "--wait"]),
        Line(command: "apply", arguments: ["-p", "a", "-p", "b"]),
        Line(command: "apply", arguments: ["-p", "../etc"]),
        Line(command: "apply", arguments: ["--build", "--no-build"]),
        Line(command: "apply", arguments: ["one.json", "two.json"]),
        Line(command: "apply", arguments: ["-f"]),
        Line(command: "apply", arguments: ["-f", "--wait"]),
        Line(command: "apply", arguments: ["--wait=yes"]),
        Line(command: "plan", arguments: ["--format", "yaml"]),
        Line(command: "plan", arguments: ["extra"]),
        Line(command: "plan", arguments: ["--wait"]),
        Line(command: "ps", arguments: ["-p", "x/y"]),
        Line(command: "ps", arguments: ["-f", "berth.yaml"]),
    ]

    @Test(arguments: otherLines)
    func otherLinesAreLeftToArgumentParser(_ line: Line) {
        #expect(BerthCommand.plainCommands[line.command]?(line.arguments) == nil)
    }
}
