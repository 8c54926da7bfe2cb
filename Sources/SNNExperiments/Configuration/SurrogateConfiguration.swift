import SNNKit

/// `surrogate:` of a spiking layer: the surrogate derivative (SPEC §2) by name, with its parameter.
///
/// ```yaml
/// surrogate: superSpike                      # β = 20 (the reference default)
/// surrogate: {type: superSpike, beta: 10}
/// surrogate: {type: sigmoid, beta: 10}
/// surrogate: {type: exponential, p0: 0.01, deltaU: 0.133}
/// surrogate: {type: fastSigmoid, slope: 25}
/// surrogate: {type: arcTangent, alpha: 2}
/// surrogate: {type: triangle, beta: 1}
/// ```
/// A parameter left out takes the default of SPEC §2's table.
public struct SurrogateConfiguration: Sendable, Hashable, Codable {
    /// The surrogate.
    public var surrogate: Surrogate

    /// Wraps a surrogate.
    public init(_ surrogate: Surrogate = .default) { self.surrogate = surrogate }

    /// Variant names, their parameter keys and defaults.
    private static let variants: [(name: String, keys: [String])] = [
        ("superSpike", ["beta"]), ("sigmoid", ["beta"]), ("exponential", ["p0", "deltaU"]),
        ("fastSigmoid", ["slope"]), ("arcTangent", ["alpha"]), ("triangle", ["beta"]),
    ]

    /// Decodes the plain name or the `{type: …, parameter: …}` mapping.
    public init(from decoder: any Decoder) throws {
        let (name, isShorthand) = try decoder.variantName(options: Self.variants.map(\.name), what: "surrogate", allowsShorthand: true)
        let keys = Self.variants.first { $0.name == name }!.keys
        let c = isShorthand ? nil : try decoder.strictContainer(allowing: ["type"] + keys)
        func parameter(_ key: String, _ value: Double) throws -> Float {
            guard let c else { return Float(value) }
            return Float(try c.positiveNumber(AnyCodingKey(key), default: value))
        }
        switch name {
        case "superSpike": surrogate = .superSpike(beta: try parameter("beta", 20))
        case "sigmoid": surrogate = .sigmoid(beta: try parameter("beta", 10))
        case "exponential": surrogate = .exponential(p0: try parameter("p0", 0.01), deltaU: try parameter("deltaU", 0.133))
        case "fastSigmoid": surrogate = .fastSigmoid(slope: try parameter("slope", 25))
        case "arcTangent": surrogate = .arcTangent(alpha: try parameter("alpha", 2))
        default: surrogate = .triangle(beta: try parameter("beta", 1))
        }
    }

    /// Encodes the `{type: …, parameter: …}` mapping.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        func put(_ type: String, _ parameters: [(String, Float)]) throws {
            try c.encode(type, forKey: AnyCodingKey("type"))
            for (key, value) in parameters { try c.encode(Double(value), forKey: AnyCodingKey(key)) }
        }
        switch surrogate {
        case let .superSpike(beta): try put("superSpike", [("beta", beta)])
        case let .sigmoid(beta): try put("sigmoid", [("beta", beta)])
        case let .exponential(p0, deltaU): try put("exponential", [("p0", p0), ("deltaU", deltaU)])
        case let .fastSigmoid(slope): try put("fastSigmoid", [("slope", slope)])
        case let .arcTangent(alpha): try put("arcTangent", [("alpha", alpha)])
        case let .triangle(beta): try put("triangle", [("beta", beta)])
        }
    }
}
