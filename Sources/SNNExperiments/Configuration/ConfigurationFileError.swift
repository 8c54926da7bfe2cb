/// Why a configuration file was rejected: every case names the file and, where there is one, the key path
/// (`network.layers[2].kernel`) and the line.
///
/// The ``description`` is one line, e.g.
/// `configs/x.yaml: network.layers[2].kernel: expected 1 or 2 positive integers, found [] (line 14)`.
public enum ConfigurationFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The file is not valid YAML.
    case syntax(file: String, line: Int, column: Int, problem: String)
    /// A key that the schema does not know at this place (typos are errors, never silently ignored).
    case unknownKey(file: String, keyPath: String, line: Int?, suggestion: String?, allowed: [String])
    /// A key given twice in one mapping.
    case duplicateKey(file: String, keyPath: String, line: Int?, firstLine: Int?)
    /// A required key is missing.
    case missingKey(file: String, keyPath: String, line: Int?)
    /// A value of the wrong kind (a list where a number is expected, text where an integer is expected, …).
    case wrongType(file: String, keyPath: String, line: Int?, expected: String, found: String)
    /// A value of the right kind that is not allowed (a negative size, a duration without a unit, an unknown layer
    /// type, a kernel that does not fit its input, …).
    case invalidValue(file: String, keyPath: String, line: Int?, reason: String)
    /// The configuration asks for something this build cannot do yet (e.g. a data loader not linked in).
    case unavailable(file: String, keyPath: String, reason: String)

    /// The configuration file's path as given (`"<configuration>"` for one built in code).
    public var file: String {
        switch self {
        case let .unreadable(file, _), let .syntax(file, _, _, _), let .unknownKey(file, _, _, _, _), let .duplicateKey(file, _, _, _),
             let .missingKey(file, _, _), let .wrongType(file, _, _, _, _), let .invalidValue(file, _, _, _), let .unavailable(file, _, _):
            return file
        }
    }

    /// The key path of the offending value (`training.optimizer.learningRate`), if the error has one.
    public var keyPath: String? {
        switch self {
        case .unreadable, .syntax: return nil
        case let .unknownKey(_, path, _, _, _), let .duplicateKey(_, path, _, _), let .missingKey(_, path, _),
             let .wrongType(_, path, _, _, _), let .invalidValue(_, path, _, _), let .unavailable(_, path, _):
            return path
        }
    }

    /// The 1-based line of the offending value, where known.
    public var line: Int? {
        switch self {
        case .unreadable, .unavailable: return nil
        case let .syntax(_, line, _, _): return line
        case let .unknownKey(_, _, line, _, _), let .duplicateKey(_, _, line, _), let .missingKey(_, _, line),
             let .wrongType(_, _, line, _, _), let .invalidValue(_, _, line, _):
            return line
        }
    }

    /// One line: `file: key.path: what is wrong (line N)`.
    public var description: String {
        let at = line.map { " (line \($0))" } ?? ""
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read the configuration: \(reason)"
        case let .syntax(file, line, column, problem):
            return "\(file): line \(line), column \(column): YAML syntax error: \(problem)"
        case let .unknownKey(file, path, _, suggestion, allowed):
            let hint = suggestion.map { "did you mean '\($0)'?" } ?? "allowed here: \(allowed.joined(separator: ", "))"
            return "\(file): \(path): unknown key; \(hint)\(at)"
        case let .duplicateKey(file, path, _, firstLine):
            return "\(file): \(path): duplicate key\(firstLine.map { " (first given on line \($0))" } ?? "")\(at)"
        case let .missingKey(file, path, _):
            return "\(file): \(path): required key is missing\(at)"
        case let .wrongType(file, path, _, expected, found):
            return "\(file): \(path): expected \(expected), found \(found)\(at)"
        case let .invalidValue(file, path, _, reason):
            return "\(file): \(path): \(reason)\(at)"
        case let .unavailable(file, path, reason):
            return "\(file): \(path): \(reason)"
        }
    }
}
