import SNNKit

/// `initialization.rates`: where the presynaptic rates ν of initialization come from (SPEC §3.4).
///
/// ```yaml
/// rates: {type: measured, samples: 256, layerWise: true}   # ν of the training data, then layer by layer (default)
/// rates: {type: fixed, hertz: 15.8}                        # one rate for every projection (the reference)
/// rates: measured
/// ```
public enum PresynapticRatesConfiguration: Sendable, Hashable, Codable {
    /// One rate for every projection, in Hz.
    case fixed(hertz: Double)
    /// Measured on `samples` training samples; with `layerWise`, each hidden layer's rate is measured in turn.
    case measured(samples: Int, layerWise: Bool)

    /// The SNNKit value, measuring on `data` where needed.
    public func value(on data: SpikeDataset) -> PresynapticRates {
        switch self {
        case let .fixed(hertz): return .fixed(hertz: hertz)
        case let .measured(samples, layerWise): return .measured(on: data, samples: samples, layerWise: layerWise)
        }
    }

    /// The SNNKit value, measuring on `data` where needed: in memory or streamed (ν from one streaming pass over all
    /// of `data`, the layer-wise rates on its first `samples` samples; see ``PresynapticRates/makeMeasured(on:samples:layerWise:)``).
    ///
    /// - Throws: `ConfigurationError` for an empty source; the source's error when its samples cannot be read.
    public func value(on data: some SpikeSampleSource) throws -> PresynapticRates {
        switch self {
        case let .fixed(hertz): return .fixed(hertz: hertz)
        case let .measured(samples, layerWise): return try .makeMeasured(on: data, samples: samples, layerWise: layerWise)
        }
    }

    /// Decodes the plain name or the tagged mapping.
    public init(from decoder: any Decoder) throws {
        let (name, isShorthand) = try decoder.variantName(options: ["measured", "fixed"], what: "rates", allowsShorthand: true)
        if name == "fixed" {
            guard !isShorthand else {
                throw ConfigurationIssue(at: decoder.codingPath, "fixed rates need a rate: write {type: fixed, hertz: 15.8}")
            }
            let c = try decoder.strictContainer(allowing: ["type", "hertz"])
            self = .fixed(hertz: try c.positiveNumber(AnyCodingKey("hertz")))
        } else {
            let c = isShorthand ? nil : try decoder.strictContainer(allowing: ["type", "samples", "layerWise"])
            self = .measured(samples: try c?.positiveInteger(AnyCodingKey("samples"), default: 256) ?? 256,
                             layerWise: try c?.decode(AnyCodingKey("layerWise"), default: true) ?? true)
        }
    }

    /// Encodes the tagged mapping.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        switch self {
        case let .fixed(hertz):
            try c.encode("fixed", forKey: AnyCodingKey("type"))
            try c.encode(hertz, forKey: AnyCodingKey("hertz"))
        case let .measured(samples, layerWise):
            try c.encode("measured", forKey: AnyCodingKey("type"))
            try c.encode(samples, forKey: AnyCodingKey("samples"))
            try c.encode(layerWise, forKey: AnyCodingKey("layerWise"))
        }
    }
}
