import Testing
import SNNExperiments

@Suite("DurationValue — times with explicit units")
struct DurationValueTests {
    @Test("parses numbers with units exactly", arguments: [
        ("2 ms", Duration.milliseconds(2)), ("0.7s", .milliseconds(700)), ("0.7 s", .milliseconds(700)), ("700ms", .milliseconds(700)),
        ("20 us", .microseconds(20)), ("20 µs", .microseconds(20)), ("20 μs", .microseconds(20)), ("1e-3 s", .milliseconds(1)),
        ("2.5E2 ns", .nanoseconds(250)), (" 1 s ", .seconds(1)), ("0 ms", .zero), ("0.5 ns", .nanoseconds(1) / 2),
    ])
    func parses(text: String, expected: Duration) throws {
        #expect(try DurationValue(parsing: text).duration == expected)
    }

    @Test("rejects numbers without a unit, unknown units, negative values and text", arguments: [
        ("2", "unit"), ("0.7", "unit"), ("2 sec", "unknown time unit 'sec'"), ("-2 ms", "non-negative"), ("ms", "expected a duration"),
        ("", "expected a duration"), ("fast", "expected a duration"),
    ])
    func rejects(text: String, reason: String) {
        #expect {
            _ = try DurationValue(parsing: text)
        } throws: { error in
            (error as? DurationParsingError)?.reason.contains(reason) == true
        }
    }

    @Test("writes the shortest exact text", arguments: [
        (Duration.milliseconds(700), "700 ms"), (.seconds(1), "1 s"), (.milliseconds(2), "2 ms"), (.microseconds(20), "20 us"),
        (.milliseconds(1500), "1500 ms"), (.nanoseconds(1) / 2, "0.5 ns"), (.zero, "0 s"),
    ])
    func description(duration: Duration, text: String) throws {
        #expect(DurationValue(duration).description == text)
        #expect(try DurationValue(parsing: text).duration == duration)
    }
}
