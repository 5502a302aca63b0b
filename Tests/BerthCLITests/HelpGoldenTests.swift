import ArgumentParser
import Foundation
import Testing
import TestSupport
@testable import BerthCLI

/// Help text is part of the interface: compared with golden files, re-recorded only with BERTH_RECORD=1.
@Suite struct HelpGoldenTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var golden: String
        var command: any ParsableCommand.Type
        var testDescription: String { golden }
    }

    static let cases: [Case] = [
        Case(golden: "berth", command: BerthCommand.self),
        Case(golden: "apply", command: Apply.self),
        Case(golden: "plan", command: PlanCommand.self),
        Case(golden: "image-import", command: ImageImport.self),
        Case(golden: "exec", command: Exec.self),
        Case(golden: "logs", command: Logs.self),
    ]

    @Test(arguments: cases)
    func helpMatchesGolden(_ c: Case) throws {
        let text = BerthCommand.helpMessage(for: c.command, columns: 100) + "\n"
        try Golden.check(text, name: c.golden + ".txt")
    }
}

/// The help texts in Golden/NAME (see `GoldenFile`).
enum Golden {
    static func check(_ text: String, name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        try GoldenFile.check(
            text, expected: Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Golden"),
            source: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)"),
            label: "Golden/\(name)", sourceLocation: sourceLocation)
    }
}
