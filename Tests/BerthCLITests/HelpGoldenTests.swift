import ArgumentParser
import Foundation
import Testing
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
    ]

    @Test(arguments: cases)
    func helpMatchesGolden(_ c: Case) throws {
        let text = BerthCommand.helpMessage(for: c.command, columns: 100) + "\n"
        try Golden.check(text, name: c.golden + ".txt")
    }
}

enum Golden {
    /// Compares `text` with the golden file, or writes it when BERTH_RECORD=1.
    static func check(_ text: String, name: String, sourceFile: String = #filePath) throws {
        let sourceDir = URL(fileURLWithPath: sourceFile).deletingLastPathComponent().appendingPathComponent("Golden")
        if ProcessInfo.processInfo.environment["BERTH_RECORD"] == "1" {
            try Data(text.utf8).write(to: sourceDir.appendingPathComponent(name))
            return
        }
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Golden"),
                               "golden file \(name) missing; record it with BERTH_RECORD=1 swift test")
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "output differs from Golden/\(name); re-record with BERTH_RECORD=1 if intended")
    }
}
