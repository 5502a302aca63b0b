import BerthSystem
import Testing

@Suite struct DurationTextTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var text: String
        var seconds: Double?
        var testDescription: String { text.isEmpty ? "(empty)" : text }
    }

    @Test(arguments: [
        Case(text: "30s", seconds: 30), Case(text: "1m30s", seconds: 90), Case(text: "500ms", seconds: 0.5),
        Case(text: "2h", seconds: 7200), Case(text: "1.5s", seconds: 1.5), Case(text: "10", seconds: 10),
        Case(text: "0", seconds: 0), Case(text: "250us", seconds: 0.000_25), Case(text: "1h1m1s", seconds: 3661),
        Case(text: "", seconds: nil), Case(text: "10 seconds", seconds: nil), Case(text: "-5s", seconds: nil),
        Case(text: "5x", seconds: nil), Case(text: "s", seconds: nil), Case(text: "1e400", seconds: nil), Case(text: "nan", seconds: nil),
        Case(text: "1..2s", seconds: nil),
    ])
    func parses(_ c: Case) {
        let parsed = DurationText.seconds(c.text)
        if let expected = c.seconds {
            #expect(parsed.map { abs($0 - expected) < 1e-9 } == true, "\(String(describing: parsed))")
        } else {
            #expect(parsed == nil)
        }
    }

    @Test func formatsInTheShortestForm() {
        #expect(DurationText.format(90) == "1m30s")
        #expect(DurationText.format(0.5) == "500ms")
        #expect(DurationText.format(1.25) == "1.25s")
        #expect(DurationText.format(3600) == "1h")
        #expect(DurationText.format(0) == "0s")
        for seconds in [0.001, 0.25, 1, 59.5, 61, 3599, 86400, 90061.5] {
            #expect(DurationText.seconds(DurationText.format(seconds)) == seconds, "\(seconds)")
        }
    }
}

@Suite struct SignalNameTests {
    @Test func namesAndNumbers() {
        #expect(SignalName.parse("SIGTERM")?.number == 15)
        #expect(SignalName.parse("term")?.name == "SIGTERM")
        #expect(SignalName.parse("9")?.name == "SIGKILL")
        #expect(SignalName.parse("SIGRTMIN+3")?.number == 37)
        #expect(SignalName.parse("RTMAX-1")?.number == 63)
        #expect(SignalName.parse("40")?.number == 40)
    }

    @Test(arguments: ["", "SIGFOO", "0", "65", "-1", "RTMIN+40", "RTMIN-1", "SIG", "TERM;rm -rf /"])
    func rejects(_ text: String) {
        #expect(SignalName.parse(text) == nil)
    }
}

@Suite struct SignalNumberTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var text: String
        var expected: Int32?
        var testDescription: String { text }
    }

    static let cases: [Case] = [
        Case(text: "KILL", expected: 9), Case(text: "SIGKILL", expected: 9), Case(text: "term", expected: 15),
        Case(text: "SigHup", expected: 1), Case(text: "9", expected: 9), Case(text: "64", expected: 64),
        Case(text: "WINCH", expected: 28), Case(text: "RTMIN", expected: 34), Case(text: "RTMIN+3", expected: 37),
        Case(text: "SIGRTMAX-2", expected: 62), Case(text: "0", expected: nil), Case(text: "65", expected: nil),
        Case(text: "-9", expected: nil), Case(text: "BOGUS", expected: nil), Case(text: "", expected: nil),
        Case(text: "RTMIN+40", expected: nil), Case(text: "RTMAX+1", expected: nil),
    ]

    @Test(arguments: cases)
    func numbers(_ c: Case) {
        #expect(SignalName.number(c.text) == c.expected)
    }
}
