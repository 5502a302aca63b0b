import Foundation
import Testing
@testable import Checkpoint

@Suite("CRIU check")
struct CriuCheckTests {
    @Test("on this host criu check fails on the vDSO and the message suggests a filesystem restore")
    func hostCheck() {
        let status = CriuCheck.run()
        if status.usable {
            print("skipped: criu check passes on this host, so there is no vDSO failure to explain")
            return
        }
        #expect(status.message.contains("restore: filesystem"))
        if status.output.lowercased().contains("vdso") {
            #expect(status.message.contains("this kernel's CRIU cannot checkpoint processes"))
        } else {
            print("note: criu check failed without a vDSO error: \(status.output)")
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var status: Int32
        var output: String
        var usable: Bool
        var words: String
        var testDescription: String { words }
    }

    @Test(
        "criu check results are explained",
        arguments: [
            Case(status: 0, output: "Looks good.", usable: true, words: "criu check passed"),
            Case(
                status: 1, output: "Error (criu/vdso.c:613): vdso: Failed to fill self vdso symtable",
                usable: false, words: "this kernel's CRIU cannot checkpoint processes"),
            Case(
                status: 1, output: "Error (criu/cr-check.c:1): seccomp is not supported", usable: false,
                words: "seccomp is not supported"),
        ])
    func interpret(_ c: Case) {
        let status = CriuCheck.interpret(status: c.status, output: c.output)
        #expect(status.usable == c.usable)
        #expect(status.message.contains(c.words))
    }

    @Test("a missing criu binary is not usable and says so")
    func missingBinary() {
        let status = CriuCheck.run(executable: "/nonexistent/criu")
        #expect(!status.usable)
        #expect(status.message.contains("criu is not installed"))
    }
}
