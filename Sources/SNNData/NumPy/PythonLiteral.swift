/// A Python literal as found in an `.npy` header: the dictionary `{'descr': …, 'fortran_order': …, 'shape': …}`
/// and what it holds (strings, integers, booleans, `None`, tuples and lists).
indirect enum PythonLiteral {
    /// A quoted string.
    case string(String)
    /// An integer (Python 2 `L` suffix accepted); `nil` payload when it does not fit in `Int`.
    case integer(Int?)
    /// `True` or `False`.
    case boolean(Bool)
    /// `None`.
    case none
    /// A tuple `( … )` or list `[ … ]`.
    case sequence([PythonLiteral], isTuple: Bool)
    /// A dictionary with string keys, in order.
    case dictionary([(key: String, value: PythonLiteral)])

    /// The value for `key` of a dictionary.
    subscript(key: String) -> PythonLiteral? {
        guard case let .dictionary(pairs) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    /// Parses `text` as one literal followed only by whitespace; the message says what is wrong and where.
    static func parse(_ text: String) -> Result<PythonLiteral, LiteralError> {
        var parser = Parser(bytes: Array(text.utf8))
        do throws(LiteralError) {
            let value = try parser.value(depth: 0)
            parser.skipSpace()
            guard parser.position == parser.bytes.count else { throw parser.error("unexpected text after the literal") }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    /// A syntax error in a literal.
    struct LiteralError: Error {
        /// What is wrong, and the byte offset.
        var message: String
    }

    /// A recursive-descent parser over UTF-8 bytes, with a nesting limit so that a hostile header cannot
    /// exhaust the stack.
    private struct Parser {
        let bytes: [UInt8]
        var position = 0
        static let maximumDepth = 16

        init(bytes: [UInt8]) { self.bytes = bytes }

        func error(_ message: String) -> LiteralError { LiteralError(message: "\(message) at byte \(position)") }

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
        }

        mutating func value(depth: Int) throws(LiteralError) -> PythonLiteral {
            guard depth < Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth) levels") }
            skipSpace()
            guard position < bytes.count else { throw error("unexpected end") }
            switch bytes[position] {
            case UInt8(ascii: "{"): return try dictionary(depth: depth)
            case UInt8(ascii: "("): return try sequence(close: UInt8(ascii: ")"), isTuple: true, depth: depth)
            case UInt8(ascii: "["): return try sequence(close: UInt8(ascii: "]"), isTuple: false, depth: depth)
            case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try integer()
            default:
                for (word, literal) in [("True", PythonLiteral.boolean(true)), ("False", .boolean(false)), ("None", .none)]
                where bytes[position...].starts(with: word.utf8) {
                    position += word.utf8.count
                    return literal
                }
                throw error("unexpected character '\(Character(Unicode.Scalar(bytes[position])))'")
            }
        }

        mutating func dictionary(depth: Int) throws(LiteralError) -> PythonLiteral {
            position += 1
            var pairs: [(key: String, value: PythonLiteral)] = []
            while true {
                skipSpace()
                guard position < bytes.count else { throw error("unterminated dictionary") }
                if bytes[position] == UInt8(ascii: "}") { position += 1; return .dictionary(pairs) }
                guard case let .string(key) = try value(depth: depth + 1) else { throw error("dictionary key is not a string") }
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
                position += 1
                pairs.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard position < bytes.count else { throw error("unterminated dictionary") }
                if bytes[position] == UInt8(ascii: ",") { position += 1 } else if bytes[position] != UInt8(ascii: "}") {
                    throw error("expected ',' or '}'")
                }
            }
        }

        mutating func sequence(close: UInt8, isTuple: Bool, depth: Int) throws(LiteralError) -> PythonLiteral {
            position += 1
            var items: [PythonLiteral] = []
            while true {
                skipSpace()
                guard position < bytes.count else { throw error("unterminated \(isTuple ? "tuple" : "list")") }
                if bytes[position] == close { position += 1; return .sequence(items, isTuple: isTuple) }
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard position < bytes.count else { throw error("unterminated \(isTuple ? "tuple" : "list")") }
                if bytes[position] == UInt8(ascii: ",") { position += 1 } else if bytes[position] != close {
                    throw error("expected ',' or '\(Character(Unicode.Scalar(close)))'")
                }
            }
        }

        mutating func string() throws(LiteralError) -> String {
            let quote = bytes[position]
            position += 1
            var out: [UInt8] = []
            while position < bytes.count {
                let b = bytes[position]
                position += 1
                if b == quote { return String(decoding: out, as: UTF8.self) }
                if b == UInt8(ascii: "\\") {
                    guard position < bytes.count else { break }
                    let e = bytes[position]
                    position += 1
                    switch e {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "0"): out.append(0)
                    default: out.append(e)   // \\, \', \" and anything else: the character itself
                    }
                } else {
                    out.append(b)
                }
            }
            throw error("unterminated string")
        }

        mutating func integer() throws(LiteralError) -> PythonLiteral {
            let start = position
            if bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") { position += 1 }
            let digitsStart = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
            guard position > digitsStart else { throw error("expected digits") }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            if position < bytes.count, bytes[position] == UInt8(ascii: "L") || bytes[position] == UInt8(ascii: "l") { position += 1 }
            if position < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position]) {
                throw error("expected an integer, found a floating-point number")
            }
            return .integer(Int(text))
        }
    }
}
