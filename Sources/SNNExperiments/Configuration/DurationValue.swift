/// A time written with an explicit unit in a configuration file: `"2 ms"`, `"0.7 s"`, `"700ms"`, `"20 us"`.
///
/// Units: `s`, `ms`, `us` (also `µs`, `μs`) and `ns`; the number is a decimal, optionally with an exponent
/// (`"1e-3 s"`), and is converted exactly (`"0.7 s"` is 700 ms to the attosecond). A bare number such as `2` is
/// rejected: the unit is never guessed. Encodes as the shortest exact text (`"700 ms"`).
public struct DurationValue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The time.
    public var duration: Duration

    /// Wraps a duration.
    public init(_ duration: Duration) { self.duration = duration }

    /// Parses `"<number> <unit>"`.
    /// - Throws: ``DurationParsingError`` for a missing or unknown unit, a negative number or text that is no number.
    public init(parsing text: String) throws(DurationParsingError) {
        duration = try Self.parse(text)
    }

    /// Decodes the text form, rejecting numbers without a unit.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            duration = try Self.parse(text)
        } catch {
            throw ConfigurationIssue(at: decoder.codingPath, error.reason)
        }
    }

    /// Encodes the text form (``description``).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The shortest exact text in s, ms, us or ns: `"2 ms"`, `"700 ms"`, `"1 s"`, `"0.5 ns"`.
    public var description: String {
        if duration < .zero { return "-" + DurationValue(.zero - duration).description }
        let c = duration.components
        let atto = String(c.attoseconds)
        let fraction = String(repeating: "0", count: 18 - atto.count) + atto   // the 18 digits after the point
        let significant = fraction.count - fraction.reversed().prefix { $0 == "0" }.count
        /// The value in units of 10^-`shift` s: integer digits, then any remaining decimals.
        func scaled(_ shift: Int, _ unit: String) -> String {
            var integer = String((c.seconds == 0 ? "" : String(c.seconds)) + fraction.prefix(shift))
            while integer.count > 1 && integer.first == "0" { integer.removeFirst() }
            let decimals = significant > shift ? fraction.dropFirst(shift).prefix(significant - shift) : ""
            return (decimals.isEmpty ? integer : "\(integer).\(decimals)") + " " + unit
        }
        switch significant {
        case 0: return "\(c.seconds) s"
        case 1...3: return scaled(3, "ms")
        case 4...6: return scaled(6, "us")
        default: return scaled(9, "ns")
        }
    }

    /// Unit name → power of ten relative to one second.
    private static let units: [String: Int] = ["s": 0, "ms": -3, "us": -6, "\u{B5}s": -6, "\u{3BC}s": -6, "ns": -9]

    private static func parse(_ text: String) throws(DurationParsingError) -> Duration {
        let trimmed = text.trimmingWhitespace()
        let example = "write a number and a unit (s, ms, us or ns), e.g. \"2 ms\" or \"0.7 s\""
        guard !trimmed.hasPrefix("-") else { throw DurationParsingError(text: text, reason: "expected a non-negative duration, found \"\(text)\"") }
        var rest = Substring(trimmed)
        if rest.hasPrefix("+") { rest = rest.dropFirst() }
        // Mantissa digits, the count of digits after the point, and the exponent.
        var mantissa = "", fractionDigits = 0, seenPoint = false
        while let ch = rest.first, ch.isASCII, ch.isNumber || (ch == "." && !seenPoint) {
            if ch == "." { seenPoint = true } else {
                mantissa.append(ch)
                if seenPoint { fractionDigits += 1 }
            }
            rest = rest.dropFirst()
        }
        guard !mantissa.isEmpty else { throw DurationParsingError(text: text, reason: "expected a duration, found \"\(text)\"; \(example)") }
        var exponent = 0
        if let e = rest.first, e == "e" || e == "E" {
            var digits = rest.dropFirst()
            var sign = 1
            if let s = digits.first, s == "+" || s == "-" {
                sign = s == "-" ? -1 : 1
                digits = digits.dropFirst()
            }
            let exponentDigits = digits.prefix { $0.isASCII && $0.isNumber }
            if !exponentDigits.isEmpty {
                guard exponentDigits.count <= 4, let value = Int(exponentDigits) else {
                    throw DurationParsingError(text: text, reason: "exponent out of range in \"\(text)\"")
                }
                exponent = sign * value
                rest = digits.dropFirst(exponentDigits.count)
            }
        }
        let unit = String(rest).trimmingWhitespace()
        guard !unit.isEmpty else {
            throw DurationParsingError(text: text, reason: "expected a duration with a unit, found \(text); \(example)")
        }
        guard let unitPower = units[unit] else {
            throw DurationParsingError(text: text, reason: "unknown time unit '\(unit)' in \"\(text)\"; use s, ms, us or ns")
        }
        // value = mantissa × 10^power attoseconds.
        let power = exponent - fractionDigits + unitPower + 18
        var digits = String(mantissa.drop { $0 == "0" })
        var roundsUp = false
        if power >= 0 {
            guard digits.count + power <= 37 else { throw DurationParsingError(text: text, reason: "duration too large: \"\(text)\"") }
            if !digits.isEmpty { digits += String(repeating: "0", count: power) }
        } else {
            let dropped = -power
            if dropped > digits.count {
                digits = ""
            } else {
                roundsUp = digits[digits.index(digits.endIndex, offsetBy: -dropped)] >= "5"
                digits.removeLast(dropped)
            }
        }
        let attosecondDigits = digits.suffix(18), secondDigits = digits.dropLast(min(18, digits.count))
        guard var seconds = secondDigits.isEmpty ? 0 : Int64(secondDigits), var attoseconds = attosecondDigits.isEmpty ? 0 : Int64(attosecondDigits) else {
            throw DurationParsingError(text: text, reason: "duration too large: \"\(text)\"")
        }
        if roundsUp {
            attoseconds += 1
            if attoseconds == 1_000_000_000_000_000_000 {
                attoseconds = 0
                seconds += 1
            }
        }
        return Duration(secondsComponent: seconds, attosecondsComponent: attoseconds)
    }
}

/// Why a text is not a duration (``DurationValue/init(parsing:)``).
public struct DurationParsingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text that was parsed.
    public var text: String
    /// What is wrong, as one sentence naming the text.
    public var reason: String

    /// The reason.
    public var description: String { reason }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
