/// One step of a key path: a mapping key or a list index.
enum PathComponent: Sendable, Hashable {
    /// A key of a mapping.
    case key(String)
    /// An index into a list.
    case index(Int)

    /// The component a coding key stands for (Yams writes list positions as `"Index N"`).
    init(_ codingKey: any CodingKey) {
        if let i = codingKey.intValue, codingKey.stringValue == "Index \(i)" || codingKey.stringValue == String(i) {
            self = .index(i)
        } else {
            self = .key(codingKey.stringValue)
        }
    }
}

extension Array where Element == PathComponent {
    /// `network.layers[2].kernel`; `(top level)` for the empty path.
    var keyPath: String {
        var text = ""
        for component in self {
            switch component {
            case let .key(k): text += text.isEmpty ? k : ".\(k)"
            case let .index(i): text += "[\(i)]"
            }
        }
        return text.isEmpty ? "(top level)" : text
    }

    /// Builds a path from coding keys.
    init(codingPath: [any CodingKey]) { self = codingPath.map(PathComponent.init) }
}

/// A problem found while decoding a configuration, with where it is. The loader turns it into a
/// ``ConfigurationFileError`` that names the file and the line.
struct ConfigurationIssue: Error {
    /// What is wrong.
    enum Kind: Sendable {
        /// A value that is not allowed, with the reason (`expected a positive integer, found -3`).
        case invalid(String)
        /// A key the schema does not know here.
        case unknownKey(suggestion: String?, allowed: [String])
        /// Something this build cannot do yet (a data loader that is not linked in).
        case unavailable(String)
    }

    /// Where: the key path of the offending value.
    var path: [PathComponent]
    /// What.
    var kind: Kind

    /// An invalid value at `codingPath`.
    init(at codingPath: [any CodingKey], _ reason: String) {
        path = [PathComponent](codingPath: codingPath)
        kind = .invalid(reason)
    }

    /// An issue at a path.
    init(path: [PathComponent], kind: Kind) {
        self.path = path
        self.kind = kind
    }
}

/// A coding key made from any string or index.
struct AnyCodingKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }

    init(intValue: Int) {
        stringValue = "Index \(intValue)"
        self.intValue = intValue
    }

    init(_ string: String) { self.init(stringValue: string) }
}

/// The allowed key closest to a misspelled one (edit distance at most a third of its length, at least 2), if any.
func closestKey(to key: String, in allowed: [String]) -> String? {
    if let exact = allowed.first(where: { $0.lowercased() == key.lowercased() }) { return exact }
    let limit = max(2, key.count / 3)
    let scored = allowed.map { ($0, editDistance($0.lowercased(), key.lowercased())) }.filter { $0.1 <= limit }
    return scored.min { $0.1 < $1.1 }?.0
}

/// Levenshtein distance between two strings (insertions, deletions and substitutions of characters).
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

extension ConfigurationIssue: CustomStringConvertible {
    /// `key.path: what is wrong` (readable when another decoder than ``ExperimentConfiguration/load(from:)`` surfaces it).
    var description: String {
        switch kind {
        case let .invalid(reason), let .unavailable(reason): return "\(path.keyPath): \(reason)"
        case let .unknownKey(suggestion, allowed):
            return "\(path.keyPath): unknown key; " + (suggestion.map { "did you mean '\($0)'?" } ?? "allowed here: \(allowed.joined(separator: ", "))")
        }
    }
}
