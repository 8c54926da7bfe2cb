import SNNKit

/// The `initialization` section: the rule, the presynaptic rates and the seed.
///
/// ```yaml
/// initialization:
///   method: {type: fluctuationDriven, sigmaU: 1}     # default
///   rates: {type: measured, samples: 256}             # default
///   connectionProbability: 1                          # keep each connection with this probability (default 1)
///   seed: 1                                           # default 1
/// ```
public struct InitializationConfiguration: Sendable, Hashable, Codable {
    /// The weight initialization rule.
    public var method: InitializationMethodConfiguration
    /// Where ν comes from.
    public var rates: PresynapticRatesConfiguration
    /// Probability of keeping each connection (a fixed sparse mask when below 1).
    public var connectionProbability: Double
    /// Seed of the weights.
    public var seed: UInt64

    /// The YAML keys.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case method, rates, connectionProbability, seed
    }

    /// Creates the section; the defaults are centered fluctuation-driven initialization with σ_U = 1 and measured rates.
    public init(method: InitializationMethodConfiguration = .fluctuationDriven(target: .centered(sigmaU: 1), feedForwardShare: 0.9,
                                                                                integration: .numerical),
                rates: PresynapticRatesConfiguration = .measured(samples: 256, layerWise: true), connectionProbability: Double = 1,
                seed: UInt64 = 1) {
        self.method = method
        self.rates = rates
        self.connectionProbability = connectionProbability
        self.seed = seed
    }

    /// Decodes the section.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        let defaults = InitializationConfiguration()
        method = try c.decode(.method, default: defaults.method)
        rates = try c.decode(.rates, default: defaults.rates)
        connectionProbability = try c.fraction(.connectionProbability, default: 1, allowsZero: false)
        seed = try c.decode(.seed, default: 1)
    }
}
