import SNNKit

/// A layer entry of `type: dale` — a ``DalianLayer`` (Dale's law, SPEC §1.4): excitatory and inhibitory neurons,
/// non-negative weights, only the E units project onwards.
///
/// ```yaml
/// - type: dale
///   excitatory: 128             # required
///   inhibitory: 32              # required
///   tauMembrane: 20 ms          # defaults: 20 ms, τ_exc 10 ms, τ_inh 20 ms, threshold 1, SuperSpike β 20
///   tauExcitatory: 10 ms
///   tauInhibitory: 20 ms
///   threshold: 1
///   surrogate: superSpike
///   resetGradient: detached
///   recurrentExcitation: true   # E → E and E → I projections
///   name: dale1
/// ```
public struct DaleLayerConfiguration: Sendable, Hashable, Codable {
    /// Number of excitatory neurons N_E.
    public var excitatory: Int
    /// Number of inhibitory neurons N_I.
    public var inhibitory: Int
    /// τ_mem.
    public var tauMembrane: DurationValue
    /// τ_exc, the excitatory current's time constant.
    public var tauExcitatory: DurationValue
    /// τ_inh, the inhibitory current's time constant.
    public var tauInhibitory: DurationValue
    /// θ, the firing threshold.
    public var threshold: Double
    /// The surrogate derivative.
    public var surrogate: SurrogateConfiguration
    /// Whether the reset is differentiated.
    public var resetGradient: ResetGradientOption
    /// Whether E neurons project recurrently onto the layer.
    public var recurrentExcitation: Bool
    /// Optional name for reports.
    public var name: String?

    /// The YAML keys.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case excitatory, inhibitory, tauMembrane, tauExcitatory, tauInhibitory, threshold, surrogate, resetGradient, recurrentExcitation, name
    }

    /// Creates an entry with the reference defaults.
    public init(excitatory: Int, inhibitory: Int, tauMembrane: Duration = .milliseconds(20), tauExcitatory: Duration = .milliseconds(10),
                tauInhibitory: Duration = .milliseconds(20), threshold: Double = 1, surrogate: Surrogate = .default,
                resetGradient: ResetGradientOption = .detached, recurrentExcitation: Bool = true, name: String? = nil) {
        self.excitatory = excitatory
        self.inhibitory = inhibitory
        self.tauMembrane = DurationValue(tauMembrane)
        self.tauExcitatory = DurationValue(tauExcitatory)
        self.tauInhibitory = DurationValue(tauInhibitory)
        self.threshold = threshold
        self.surrogate = SurrogateConfiguration(surrogate)
        self.resetGradient = resetGradient
        self.recurrentExcitation = recurrentExcitation
        self.name = name
    }

    /// Decodes a mapping.
    public init(from decoder: any Decoder) throws { try self.init(from: decoder, sharing: []) }

    /// Decodes an entry whose mapping also holds the `shared` keys.
    init(from decoder: any Decoder, sharing shared: [String]) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self, sharing: shared)
        excitatory = try c.positiveInteger(.excitatory)
        inhibitory = try c.positiveInteger(.inhibitory)
        tauMembrane = try c.positiveDuration(.tauMembrane, default: .milliseconds(20))
        tauExcitatory = try c.positiveDuration(.tauExcitatory, default: .milliseconds(10))
        tauInhibitory = try c.positiveDuration(.tauInhibitory, default: .milliseconds(20))
        threshold = try c.finiteNumber(.threshold, default: 1)
        surrogate = try c.decode(.surrogate, default: SurrogateConfiguration())
        resetGradient = try c.keyword(.resetGradient, default: .detached, what: "reset gradient")
        recurrentExcitation = try c.decode(.recurrentExcitation, default: true)
        name = try c.decodeIfPresent(String.self, forKey: .name)
    }

    /// The SNNKit declaration.
    public var declaration: DalianLayer {
        DalianLayer(excitatory: excitatory, inhibitory: inhibitory,
                    dynamics: ExcitatoryInhibitoryDynamics(tauMembrane: tauMembrane.duration, tauExcitatory: tauExcitatory.duration,
                                                           tauInhibitory: tauInhibitory.duration, threshold: Float(threshold),
                                                           surrogate: surrogate.surrogate, resetGradient: resetGradient.value),
                    hasRecurrentExcitation: recurrentExcitation, name: name)
    }
}
