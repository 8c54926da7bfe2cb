import SNNKit

/// A layer entry of `type: lif` or `type: adaptiveLIF` — an ``LIFLayer``.
///
/// ```yaml
/// - type: lif
///   size: 128                 # required
///   tauMembrane: 20 ms        # defaults: 20 ms, 10 ms, threshold 1, SuperSpike β 20, detached reset
///   tauSynapse: 10 ms
///   threshold: 1
///   surrogate: {type: superSpike, beta: 20}
///   resetGradient: detached   # or differentiated
///   recurrent: false          # all-to-all recurrent projection
///   bias: false
///   skipSources: [input, 0]   # extra feed-forward sources: "input" or earlier layer indices
///   name: hidden1             # optional, for reports
/// - type: adaptiveLIF         # the same keys, plus:
///   tauAdaptation: 100 ms     # τ_ada (default 100 ms)
///   adaptationStrength: 0.1   # a (default 0.1)
/// ```
public struct LIFLayerConfiguration: Sendable, Hashable, Codable {
    /// Number of neurons.
    public var size: Int
    /// τ_mem.
    public var tauMembrane: DurationValue
    /// τ_syn.
    public var tauSynapse: DurationValue
    /// θ, the firing threshold.
    public var threshold: Double
    /// The surrogate derivative.
    public var surrogate: SurrogateConfiguration
    /// Whether the reset is differentiated.
    public var resetGradient: ResetGradientOption
    /// Whether the layer has an all-to-all recurrent projection onto itself.
    public var recurrent: Bool
    /// Whether the projections into the layer carry a bias.
    public var bias: Bool
    /// Extra feed-forward sources (skip connections).
    public var skipSources: [SkipSource]
    /// Optional name for reports.
    public var name: String?
    /// τ_ada of an adaptive LIF (SPEC §1.3); nil for a plain LIF layer.
    public var tauAdaptation: DurationValue?
    /// Adaptation strength a of an adaptive LIF; nil for a plain LIF layer.
    public var adaptationStrength: Double?

    /// The YAML keys.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case size, tauMembrane, tauSynapse, threshold, surrogate, resetGradient, recurrent, bias, skipSources, name
        case tauAdaptation, adaptationStrength
    }

    /// Creates an entry with the reference defaults; `adaptive` adds τ_ada 100 ms and a = 0.1.
    public init(size: Int, tauMembrane: Duration = .milliseconds(20), tauSynapse: Duration = .milliseconds(10), threshold: Double = 1,
                surrogate: Surrogate = .default, resetGradient: ResetGradientOption = .detached, recurrent: Bool = false, bias: Bool = false,
                skipSources: [SkipSource] = [], name: String? = nil, adaptation: (tau: Duration, strength: Double)? = nil) {
        self.size = size
        self.tauMembrane = DurationValue(tauMembrane)
        self.tauSynapse = DurationValue(tauSynapse)
        self.threshold = threshold
        self.surrogate = SurrogateConfiguration(surrogate)
        self.resetGradient = resetGradient
        self.recurrent = recurrent
        self.bias = bias
        self.skipSources = skipSources
        self.name = name
        self.tauAdaptation = adaptation.map { DurationValue($0.tau) }
        self.adaptationStrength = adaptation?.strength
    }

    /// Decodes a mapping; the adaptation keys make it adaptive.
    public init(from decoder: any Decoder) throws {
        try self.init(from: decoder, sharing: [], isAdaptive: nil)
    }

    /// Decodes an entry whose mapping also holds the `shared` keys; `isAdaptive` nil accepts either kind.
    init(from decoder: any Decoder, sharing shared: [String], isAdaptive: Bool?) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self, sharing: shared)
        size = try c.positiveInteger(.size)
        tauMembrane = try c.positiveDuration(.tauMembrane, default: .milliseconds(20))
        tauSynapse = try c.positiveDuration(.tauSynapse, default: .milliseconds(10))
        threshold = try c.finiteNumber(.threshold, default: 1)
        surrogate = try c.decode(.surrogate, default: SurrogateConfiguration())
        resetGradient = try c.keyword(.resetGradient, default: .detached, what: "reset gradient")
        recurrent = try c.decode(.recurrent, default: false)
        bias = try c.decode(.bias, default: false)
        skipSources = try c.decode(.skipSources, default: [])
        name = try c.decodeIfPresent(String.self, forKey: .name)
        let adaptive = isAdaptive ?? (c.contains(.tauAdaptation) || c.contains(.adaptationStrength))
        if adaptive {
            tauAdaptation = try c.positiveDuration(.tauAdaptation, default: .milliseconds(100))
            adaptationStrength = try c.finiteNumber(.adaptationStrength, default: 0.1)
        } else {
            for key in [CodingKeys.tauAdaptation, .adaptationStrength] where c.contains(key) {
                throw c.issue(key, "applies to layers of type adaptiveLIF only")
            }
        }
    }

    /// The SNNKit declaration.
    public var declaration: LIFLayer {
        LIFLayer(size, tauMembrane: tauMembrane.duration, tauSynapse: tauSynapse.duration, threshold: Float(threshold), isRecurrent: recurrent,
                 surrogate: surrogate.surrogate, resetGradient: resetGradient.value,
                 adaptation: tauAdaptation.map { ($0.duration, Float(adaptationStrength ?? 0.1)) }, hasBias: bias,
                 skipSources: skipSources.map(\.value), name: name)
    }
}
