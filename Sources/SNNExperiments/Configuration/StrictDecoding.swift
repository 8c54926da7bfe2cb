// Decoding helpers shared by the configuration types: mappings that reject unknown keys, tagged variants
// (`type: lif`), and values checked where they are read so that every error carries its key path.

extension Decoder {
    /// A keyed container that throws for any key other than `K`'s cases and `shared` (keys read by an enclosing
    /// type from the same mapping, such as the `type` tag). Unknown keys are reported in document order.
    func strictContainer<K: CodingKey & CaseIterable>(keyedBy type: K.Type, sharing shared: [String] = []) throws -> KeyedDecodingContainer<K> {
        _ = try strictContainer(allowing: shared + K.allCases.map(\.stringValue))
        return try container(keyedBy: K.self)
    }

    /// A container over string keys that throws for any key not in `allowed`.
    func strictContainer(allowing allowed: [String]) throws -> KeyedDecodingContainer<AnyCodingKey> {
        let any = try container(keyedBy: AnyCodingKey.self)
        for key in any.allKeys where !allowed.contains(key.stringValue) {
            throw ConfigurationIssue(path: [PathComponent](codingPath: codingPath + [key]),
                                     kind: .unknownKey(suggestion: closestKey(to: key.stringValue, in: allowed), allowed: allowed))
        }
        return any
    }

    /// The variant name of a tagged value: either the whole value is a plain name (`schedule: constant`, allowed
    /// when `allowsShorthand`), or the mapping's `tagKey` entry names it (`{type: cosine, minimum: 0}`).
    /// - Returns: the name and whether it was given as the shorthand (then the variant's fields take their defaults).
    func variantName(tagKey: String = "type", options: [String], what: String, allowsShorthand: Bool) throws -> (name: String, isShorthand: Bool) {
        if allowsShorthand, let name = try? singleValueContainer().decode(String.self) {
            guard options.contains(name) else { throw unknownVariant(name, options: options, what: what, at: codingPath) }
            return (name, true)
        }
        let any = try container(keyedBy: AnyCodingKey.self)
        let key = AnyCodingKey(tagKey)
        guard any.contains(key) else {
            throw ConfigurationIssue(at: codingPath + [key], "required key is missing (\(what): one of \(options.joined(separator: ", ")))")
        }
        let name = try any.decode(String.self, forKey: key)
        guard options.contains(name) else { throw unknownVariant(name, options: options, what: what, at: codingPath + [key]) }
        return (name, false)
    }

    private func unknownVariant(_ name: String, options: [String], what: String, at path: [any CodingKey]) -> ConfigurationIssue {
        let hint = closestKey(to: name, in: options).map { " (did you mean '\($0)'?)" } ?? ""
        return ConfigurationIssue(at: path, "unknown \(what) '\(name)'\(hint); expected one of \(options.joined(separator: ", "))")
    }
}

extension KeyedDecodingContainer {
    /// An invalid-value issue at `key`.
    func issue(_ key: Key, _ reason: String) -> ConfigurationIssue { ConfigurationIssue(at: codingPath + [key], reason) }

    /// The value at `key`, or `value` when the key is absent (or null).
    func decode<T: Decodable>(_ key: Key, default value: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? value
    }

    /// A positive integer; required when `value` is nil.
    func positiveInteger(_ key: Key, default value: Int? = nil) throws -> Int {
        let n = try value.map { try decode(key, default: $0) } ?? decode(Int.self, forKey: key)
        guard n > 0 else { throw issue(key, "expected a positive integer, found \(n)") }
        return n
    }

    /// An optional positive integer.
    func optionalPositiveInteger(_ key: Key) throws -> Int? {
        guard let n = try decodeIfPresent(Int.self, forKey: key) else { return nil }
        guard n > 0 else { throw issue(key, "expected a positive integer, found \(n)") }
        return n
    }

    /// A non-negative integer.
    func nonNegativeInteger(_ key: Key, default value: Int) throws -> Int {
        let n = try decode(key, default: value)
        guard n >= 0 else { throw issue(key, "expected a non-negative integer, found \(n)") }
        return n
    }

    /// A finite number; required when `value` is nil.
    func finiteNumber(_ key: Key, default value: Double? = nil) throws -> Double {
        let x = try value.map { try decode(key, default: $0) } ?? decode(Double.self, forKey: key)
        guard x.isFinite else { throw issue(key, "expected a finite number, found \(x)") }
        return x
    }

    /// A positive finite number; required when `value` is nil.
    func positiveNumber(_ key: Key, default value: Double? = nil) throws -> Double {
        let x = try finiteNumber(key, default: value)
        guard x > 0 else { throw issue(key, "expected a positive number, found \(x)") }
        return x
    }

    /// An optional positive finite number.
    func optionalPositiveNumber(_ key: Key) throws -> Double? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try positiveNumber(key)
    }

    /// A non-negative finite number.
    func nonNegativeNumber(_ key: Key, default value: Double? = nil) throws -> Double {
        let x = try finiteNumber(key, default: value)
        guard x >= 0 else { throw issue(key, "expected a non-negative number, found \(x)") }
        return x
    }

    /// A number in `[0, 1]`, or `(0, 1]` when `allowsZero` is false.
    func fraction(_ key: Key, default value: Double? = nil, allowsZero: Bool = true) throws -> Double {
        let x = try finiteNumber(key, default: value)
        guard x <= 1, allowsZero ? x >= 0 : x > 0 else { throw issue(key, "expected a number in \(allowsZero ? "[0, 1]" : "(0, 1]"), found \(x)") }
        return x
    }

    /// A positive duration with a unit (`"20 ms"`); required when `value` is nil.
    func positiveDuration(_ key: Key, default value: Duration? = nil) throws -> DurationValue {
        let d = try value.map { try decode(key, default: DurationValue($0)) } ?? decode(DurationValue.self, forKey: key)
        guard d.duration > .zero else { throw issue(key, "expected a positive duration, found \(d)") }
        return d
    }

    /// One of the named options (`detached`, `differentiated`); `value` when absent, required when `value` is nil.
    func keyword<T>(_ key: Key, _ options: [(key: String, value: T)], default value: T? = nil, what: String) throws -> T {
        let name: String
        if let value {
            guard let given = try decodeIfPresent(String.self, forKey: key) else { return value }
            name = given
        } else {
            name = try decode(String.self, forKey: key)
        }
        guard let match = options.first(where: { $0.key == name }) else {
            let names = options.map(\.key)
            let hint = closestKey(to: name, in: names).map { " (did you mean '\($0)'?)" } ?? ""
            throw issue(key, "unknown \(what) '\(name)'\(hint); expected one of \(names.joined(separator: ", "))")
        }
        return match.value
    }

    /// A keyword of a string-valued enumeration, listing every case in the error.
    func keyword<T: RawRepresentable & CaseIterable>(_ key: Key, default value: T? = nil, what: String) throws -> T where T.RawValue == String {
        try keyword(key, T.allCases.map { ($0.rawValue, $0) }, default: value, what: what)
    }

    /// The test fraction of file-based data: only without a test file (default 0.1 then), leaving part of the training
    /// file for training together with the validation fraction.
    func testFraction(_ key: Key, hasTestFile: Bool, validationFraction: Double, validationKey: Key) throws -> Double? {
        if hasTestFile {
            if contains(key) { throw issue(key, "applies only without testPath (the test set is the test file)") }
            guard validationFraction < 1 else { throw issue(validationKey, "must leave part of the training file for training, found \(validationFraction)") }
            return nil
        }
        let test = try fraction(key, default: 0.1, allowsZero: false)
        guard validationFraction + test < 1 else {
            throw issue(validationKey, "validation and test fractions must leave part of the training file for training, found \(validationFraction) + \(test)")
        }
        return test
    }

    /// The error of a required key that is absent.
    func missing(_ key: Key) -> DecodingError {
        .keyNotFound(key, DecodingError.Context(codingPath: codingPath, debugDescription: "required key is missing"))
    }

    /// Required per-dimension extents: 1 or 2 integers, each at least `minimum`.
    func requiredExtents(_ key: Key, minimum: Int) throws -> [Int] {
        guard let list = try extents(key, minimum: minimum) else { throw missing(key) }
        return list
    }

    /// Per-dimension extents (kernel, stride, window, …): a list of `dimensions` integers, each at least `minimum`.
    /// Returns nil when absent; the list must match `count` entries when given.
    func extents(_ key: Key, minimum: Int, count: Int? = nil) throws -> [Int]? {
        guard let list = try decodeIfPresent([Int].self, forKey: key) else { return nil }
        let kind = minimum > 0 ? "positive" : "non-negative"
        if let count {
            guard list.count == count, list.allSatisfy({ $0 >= minimum }) else {
                throw issue(key, "expected \(count) \(kind) integer\(count == 1 ? "" : "s"), found \(list)")
            }
        } else {
            guard (1...2).contains(list.count), list.allSatisfy({ $0 >= minimum }) else {
                throw issue(key, "expected 1 or 2 \(kind) integers, found \(list)")
            }
        }
        return list
    }
}
