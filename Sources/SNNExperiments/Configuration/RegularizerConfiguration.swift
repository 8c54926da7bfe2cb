import SNNKit

/// An entry of `training.regularizers` (SPEC §6).
///
/// ```yaml
/// regularizers:
///   - {type: lowerBound, strength: 100, threshold: 1e-3, per: neuron}      # relu(θ_r − cnt)², per neuron by default
///   - {type: upperBound, strength: 0.1, threshold: 7, per: population}     # relu(cnt − θ_r)², on the population mean by default
///   - {type: twoSided, strength: 1, threshold: 3, norm: l1, layers: [0, 1]}
///   - {type: weightL2, strength: 1e-5}
///   - {type: weightL1, strength: 1e-6}
/// ```
/// Activity regularizers take `per` (`neuron`, `population`, `channel`, `position`), `norm` (`l2` default, `l1`) and
/// `layers` (indices into `network.layers`; default every spiking layer). Counts are spikes per sample.
public struct RegularizerConfiguration: Sendable, Hashable, Codable {
    /// The penalty.
    public var regularizer: Regularizer

    /// Wraps a regularizer.
    public init(_ regularizer: Regularizer) { self.regularizer = regularizer }

    private static let scopes: [(key: String, value: ActivityScope)] = [("neuron", .neuron), ("population", .population), ("channel", .channel),
                                                                        ("position", .position)]
    private static let norms: [(key: String, value: PenaltyNorm)] = [("l2", .l2), ("l1", .l1)]

    /// Decodes the tagged mapping.
    public init(from decoder: any Decoder) throws {
        let name = try decoder.variantName(options: ["lowerBound", "upperBound", "twoSided", "weightL1", "weightL2"], what: "regularizer",
                                           allowsShorthand: false).name
        let strength = AnyCodingKey("strength")
        switch name {
        case "weightL1", "weightL2":
            let c = try decoder.strictContainer(allowing: ["type", "strength"])
            let s = try c.nonNegativeNumber(strength)
            regularizer = name == "weightL1" ? .weightL1(strength: s) : .weightL2(strength: s)
        default:
            let c = try decoder.strictContainer(allowing: ["type", "strength", "threshold", "per", "norm", "layers"])
            let bound: ActivityBound = name == "lowerBound" ? .lower : (name == "upperBound" ? .upper : .twoSided)
            let layersKey = AnyCodingKey("layers")
            let layers = try c.decodeIfPresent([Int].self, forKey: layersKey)
            if let layers, layers.isEmpty || layers.contains(where: { $0 < 0 }) {
                throw c.issue(layersKey, "expected non-empty layer indices ≥ 0 (omit the key for every spiking layer), found \(layers)")
            }
            regularizer = .activity(bound: bound, norm: try c.keyword(AnyCodingKey("norm"), Self.norms, default: .l2, what: "norm"),
                                    strength: try c.nonNegativeNumber(strength), threshold: try c.nonNegativeNumber(AnyCodingKey("threshold")),
                                    scope: try c.keyword(AnyCodingKey("per"), Self.scopes, default: bound == .lower ? .neuron : .population,
                                                         what: "scope"),
                                    layers: layers)
        }
    }

    /// Encodes the tagged mapping.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        switch regularizer {
        case let .weightL1(s), let .weightL2(s):
            if case .weightL1 = regularizer { try c.encode("weightL1", forKey: AnyCodingKey("type")) } else { try c.encode("weightL2", forKey: AnyCodingKey("type")) }
            try c.encode(s, forKey: AnyCodingKey("strength"))
        case let .activity(bound, norm, strength, threshold, scope, layers):
            let type = bound == .lower ? "lowerBound" : (bound == .upper ? "upperBound" : "twoSided")
            try c.encode(type, forKey: AnyCodingKey("type"))
            try c.encode(strength, forKey: AnyCodingKey("strength"))
            try c.encode(threshold, forKey: AnyCodingKey("threshold"))
            try c.encode(scope.rawValue, forKey: AnyCodingKey("per"))
            try c.encode(norm.rawValue, forKey: AnyCodingKey("norm"))
            try c.encodeIfPresent(layers, forKey: AnyCodingKey("layers"))
        }
    }

    /// The layer indices an activity regularizer names, if any.
    var layers: [Int]? {
        if case let .activity(_, _, _, _, _, layers) = regularizer { return layers }
        return nil
    }
}
