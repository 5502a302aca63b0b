import Testing
@testable import Diagnostics

@Suite struct DiagnosticTests {
    @Test func printsFileLineColumnSeverityMessage() {
        let d = Diagnostic.error(at: SourceLocation(file: "berth.yaml", line: 12, column: 7), "unknown key `withns`")
        #expect(d.description == "berth.yaml:12:7: error: unknown key `withns`")
        #expect(Diagnostic.warning(at: nil, "no location").description == "warning: no location")
    }

    @Test func sortsByFileLineColumnThenMessage() {
        let a = Diagnostic.error(at: SourceLocation(file: "a.yaml", line: 2, column: 1), "x")
        let b = Diagnostic.error(at: SourceLocation(file: "a.yaml", line: 10, column: 1), "x")
        let c = Diagnostic.error(at: SourceLocation(file: "a.yaml", line: 10, column: 3), "x")
        let d = Diagnostic.error(at: SourceLocation(file: "b.yaml", line: 1, column: 1), "x")
        let none = Diagnostic.error(at: nil, "global")
        let sameSpot = Diagnostic.error(at: SourceLocation(file: "a.yaml", line: 2, column: 1), "a first")
        #expect([d, c, none, b, a].sortedByPosition() == [none, a, b, c, d])
        #expect([a, sameSpot].sortedByPosition().map(\.message) == ["a first", "x"])
    }

    @Test func hasErrorsIgnoresWarnings() {
        #expect(![Diagnostic.warning(at: nil, "w")].hasErrors)
        #expect([Diagnostic.warning(at: nil, "w"), .error(at: nil, "e")].hasErrors)
    }

    @Test func diagnosticsErrorListsEveryProblemSortedAndKeepsItsCategory() {
        let error = DiagnosticsError([
            .error(at: SourceLocation(file: "f", line: 3, column: 1), "second"),
            .error(at: SourceLocation(file: "f", line: 1, column: 1), "first"),
        ])
        #expect(error.message == "f:1:1: error: first\nf:3:1: error: second")
        #expect(error.category == .manifest)
        #expect(DiagnosticsError([], category: .runtime).category == .runtime)
    }

    struct Sample: BerthError {
        var message: String
        var underlying: (any Error)?
        var category: ErrorCategory { .runtime }
        var code: String { "sample" }
    }

    struct Cause: Error, CustomStringConvertible {
        var description: String { "disk full" }
    }

    @Test func berthErrorDescriptionAppendsTheCause() {
        #expect(Sample(message: "cannot write x", underlying: nil).description == "cannot write x")
        #expect(Sample(message: "cannot write x", underlying: Cause()).description == "cannot write x: disk full")
    }
}
