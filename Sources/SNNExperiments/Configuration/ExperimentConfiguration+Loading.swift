import Foundation
import Yams

extension ExperimentConfiguration {
    /// Reads, decodes and checks a configuration file, and builds its network once to check the layer geometry.
    ///
    /// - Throws: ``ConfigurationFileError`` naming the file, the key path and the line: unreadable file, YAML syntax
    ///   error, unknown or duplicate key, missing key, wrong type, invalid value (negative size, duration without
    ///   unit, unknown layer type, geometry that does not fit, …).
    public static func load(from path: String) throws -> ExperimentConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable as UTF-8 text" : "no such file"
            throw ConfigurationFileError.unreadable(file: path, reason: reason)
        }
        return try parse(yaml: text, file: path)
    }

    /// Decodes and checks a configuration from YAML text; `file` names it in errors.
    /// - Throws: ``ConfigurationFileError`` as ``load(from:)``.
    public static func parse(yaml text: String, file: String = "<configuration>") throws -> ExperimentConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error, text: text, file: file)
        }
        guard let root else {
            throw ConfigurationFileError.wrongType(file: file, keyPath: "(top level)", line: nil,
                                                   expected: "a mapping with the sections data, network, initialization, training",
                                                   found: "an empty document")
        }
        do {
            try checkDuplicateKeys(root, path: [], file: file)
            var configuration = try YAMLDecoder().decode(ExperimentConfiguration.self, from: text)
            configuration.sourcePath = file
            _ = try configuration.buildNetwork()
            return configuration
        } catch {
            throw fileError(error, file: file, root: root)
        }
    }

    /// The configuration as YAML text (every default written out); ``parse(yaml:file:)`` reads it back.
    public func yamlText() throws -> String {
        try YAMLEncoder().encode(self)
    }

    // MARK: - Errors

    /// The file named in errors.
    var fileName: String { sourcePath ?? "<configuration>" }

    /// Turns an issue found after loading into a file error (without line numbers).
    func fileError(_ issue: ConfigurationIssue) -> ConfigurationFileError {
        Self.fileError(issue, file: fileName, root: nil)
    }

    /// Turns a decoding error or an issue into a ``ConfigurationFileError`` with the line of the offending node.
    static func fileError(_ error: any Error, file: String, root: Node?) -> ConfigurationFileError {
        if let error = error as? ConfigurationFileError { return error }
        if let issue = error as? ConfigurationIssue {
            let keyPath = issue.path.keyPath, line = root.flatMap { lookup($0, issue.path)?.mark?.line }
            switch issue.kind {
            case let .invalid(reason): return .invalidValue(file: file, keyPath: keyPath, line: line, reason: reason)
            case let .unknownKey(suggestion, allowed):
                return .unknownKey(file: file, keyPath: keyPath, line: line, suggestion: suggestion, allowed: allowed)
            case let .unavailable(reason): return .unavailable(file: file, keyPath: keyPath, reason: reason)
            }
        }
        guard let error = error as? DecodingError else {
            return .invalidValue(file: file, keyPath: "(top level)", line: nil, reason: "\(error)")
        }
        switch error {
        case let .dataCorrupted(context):
            if let underlying = context.underlyingError, underlying is ConfigurationIssue || underlying is DecodingError {
                return fileError(underlying, file: file, root: root)
            }
            let path = [PathComponent](codingPath: context.codingPath)
            return .invalidValue(file: file, keyPath: path.keyPath, line: root.flatMap { lookup($0, path)?.mark?.line },
                                 reason: context.debugDescription)
        case let .keyNotFound(key, context):
            let parent = [PathComponent](codingPath: context.codingPath)
            return .missingKey(file: file, keyPath: (parent + [PathComponent(key)]).keyPath, line: root.flatMap { lookup($0, parent)?.mark?.line })
        case let .typeMismatch(type, context), let .valueNotFound(type, context):
            let path = [PathComponent](codingPath: context.codingPath)
            let node = root.flatMap { lookup($0, path) }
            return .wrongType(file: file, keyPath: path.keyPath, line: node?.mark?.line, expected: describe(type),
                              found: node.map { render($0) } ?? "nothing")
        @unknown default:
            return .invalidValue(file: file, keyPath: "(top level)", line: nil, reason: "\(error)")
        }
    }

    /// A YAML syntax error with its position.
    private static func syntaxError(_ error: YamlError, text: String, file: String) -> ConfigurationFileError {
        func withContext(_ problem: String, _ context: YamlError.Context?) -> String {
            guard let context else { return problem }
            return "\(problem) (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            return .syntax(file: file, line: mark.line, column: mark.column, problem: withContext(problem, context))
        case let .reader(problem, offset, _, _):
            let prefix = offset.map { text.utf8.prefix($0) } ?? text.utf8.prefix(0)
            let line = prefix.filter { $0 == UInt8(ascii: "\n") }.count + 1
            return .syntax(file: file, line: line, column: 1, problem: problem)
        default:
            return .syntax(file: file, line: 1, column: 1, problem: "\(error)")
        }
    }

    /// Throws ``ConfigurationFileError/duplicateKey(file:keyPath:line:firstLine:)`` for a key given twice in a mapping.
    private static func checkDuplicateKeys(_ node: Node, path: [PathComponent], file: String) throws {
        switch node {
        case let .mapping(mapping):
            var seen: [String: Int?] = [:]
            for (key, value) in mapping {
                let name = key.string ?? "\(key)"
                if let first = seen[name] {
                    throw ConfigurationFileError.duplicateKey(file: file, keyPath: (path + [.key(name)]).keyPath, line: key.mark?.line,
                                                              firstLine: first)
                }
                seen[name] = key.mark?.line
                try checkDuplicateKeys(value, path: path + [.key(name)], file: file)
            }
        case let .sequence(sequence):
            for (i, element) in sequence.enumerated() { try checkDuplicateKeys(element, path: path + [.index(i)], file: file) }
        case .scalar:
            break
        }
    }

    /// The node at a key path, if it exists.
    static func lookup(_ root: Node, _ path: [PathComponent]) -> Node? {
        var node = root
        for component in path {
            switch (component, node) {
            case let (.key(k), .mapping(mapping)):
                guard let next = mapping.reversed().first(where: { $0.key.string == k })?.value else { return node }
                node = next
            case let (.index(i), .sequence(sequence)):
                guard sequence.indices.contains(i) else { return node }
                node = sequence[i]
            default:
                return node
            }
        }
        return node
    }

    /// A short YAML-like rendering of a node for messages: `[]`, `[3, 3]`, `abc`, `{a: 1}`.
    static func render(_ node: Node, limit: Int = 60) -> String {
        let text: String
        switch node {
        case let .scalar(scalar):
            if scalar.string.isEmpty { return scalar.style == .plain || scalar.style == .any ? "nothing (null)" : "\"\"" }
            text = scalar.style == .plain || scalar.style == .any ? scalar.string : "\"\(scalar.string)\""
        case let .sequence(sequence):
            text = "[" + sequence.map { render($0, limit: limit) }.joined(separator: ", ") + "]"
        case let .mapping(mapping):
            text = "{" + mapping.map { "\($0.key.string ?? "?"): \(render($0.value, limit: limit))" }.joined(separator: ", ") + "}"
        }
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }

    /// What a decoded type looks like in a configuration file.
    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type, is Int32.Type: return "an integer"
        case is UInt64.Type, is UInt.Type: return "a non-negative integer"
        case is Double.Type, is Float.Type: return "a number"
        case is String.Type: return "text"
        case is Bool.Type: return "true or false"
        case is Node.Mapping.Type: return "a mapping (key: value entries)"
        case is Node.Sequence.Type: return "a list"
        case is Node.Scalar.Type: return "a single value"
        default:
            let name = String(describing: type)
            return name.hasPrefix("Array<") ? "a list" : name
        }
    }
}
