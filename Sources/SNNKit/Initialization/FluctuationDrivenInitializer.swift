/// Fluctuation-driven initialization (Rossbroich, Gygax & Zenke 2022, SPEC §3.2).
///
/// Chooses Gaussian weight statistics so that the free membrane potential of every neuron fluctuates around
/// μ_U with standard deviation σ_U, given the presynaptic rate ν and the PSP-kernel integrals of the target.
public struct FluctuationDrivenInitializer: Sendable, Hashable, Codable {
    /// The membrane statistics aimed for.
    public enum Target: Sendable, Hashable, Codable {
        /// μ_U = 0 and the given σ_U (the variant of every reference example).
        case centered(sigmaU: Double)
        /// μ_U and ξ = (θ − μ_U)/σ_U, the distance to threshold in standard deviations.
        case meanAndThresholdDistance(meanU: Double, xi: Double)
    }

    /// The target statistics.
    public var target: Target
    /// α: the share of the membrane variance that comes from feed-forward afferents when a population also has
    /// recurrent ones (the rest, 1 − α, comes from recurrent afferents).
    public var feedForwardShare: Double
    /// How ε̄ and ε̂ are computed.
    public var integration: KernelIntegration

    /// Creates the initializer.
    public init(target: Target, feedForwardShare: Double = 0.9, integration: KernelIntegration = .numerical) {
        self.target = target
        self.feedForwardShare = feedForwardShare
        self.integration = integration
    }

    /// Checks σ_U > 0, ξ > 0 and α ∈ (0, 1].
    public func validate() throws(ConfigurationError) {
        switch target {
        case let .centered(sigmaU):
            try ConfigurationError.requirePositive(sigmaU, "fluctuationDriven.sigmaU")
        case let .meanAndThresholdDistance(meanU, xi):
            guard meanU.isFinite else { throw .nonPositiveParameter(field: "fluctuationDriven.meanU", value: meanU) }
            try ConfigurationError.requirePositive(xi, "fluctuationDriven.xi")
        }
        guard feedForwardShare > 0 && feedForwardShare <= 1 else {
            throw .outOfRange(field: "fluctuationDriven.feedForwardShare", value: feedForwardShare, range: "(0, 1]")
        }
    }

    /// The target μ_U and σ_U for threshold θ.
    public func membraneTarget(threshold: Double) -> (mean: Double, sigma: Double) {
        switch target {
        case let .centered(sigmaU): return (0, sigmaU)
        case let .meanAndThresholdDistance(meanU, xi): return (meanU, (threshold - meanU) / xi)
        }
    }

    /// One afferent projection of a population, as the weight statistics see it.
    public struct Afferent: Sendable, Hashable {
        /// Fan-in `N_c` (effective: times the connection probability for sparse projections).
        public var fanIn: Double
        /// Presynaptic rate ν_c in Hz.
        public var rate: Double
        /// Whether the projection is recurrent.
        public var isRecurrent: Bool

        /// Creates an afferent description.
        public init(fanIn: Double, rate: Double, isRecurrent: Bool) {
            self.fanIn = fanIn
            self.rate = rate
            self.isRecurrent = isRecurrent
        }
    }

    /// μ_W and σ_W for every afferent of one population (SPEC §3.2).
    ///
    /// μ_W = μ_U / (ε̄ Σ_c N_c ν_c) for all; σ_W,c² = scale_c/(N_c ν_c ε̂)·σ_U² − μ_W² with
    /// scale_c = α/nb_ff (feed-forward) or (1 − α)/nb_rec (recurrent); α = 1 without recurrent afferents.
    /// - Throws: ``ConfigurationError/outOfRange(field:value:range:)`` when the target cannot be met (σ_W² < 0).
    public func weightStatistics(afferents: [Afferent], kernel: PSPKernelIntegrals, threshold: Double) throws(ConfigurationError) -> [(mean: Double, sigma: Double)] {
        let (muU, sigmaU) = membraneTarget(threshold: threshold)
        let nbRec = afferents.filter(\.isRecurrent).count
        let nbFF = afferents.count - nbRec
        let alpha = nbRec == 0 ? 1 : (nbFF == 0 ? 0 : feedForwardShare)
        let drive = afferents.reduce(0) { $0 + $1.fanIn * $1.rate }
        let muW = muU / (kernel.mean * drive)
        return try afferents.enumerated().map { (c, a) throws(ConfigurationError) in
            let share = a.isRecurrent ? (1 - alpha) / Double(nbRec) : alpha / Double(nbFF)
            let variance = share / (a.fanIn * a.rate * kernel.meanSquare) * sigmaU * sigmaU - muW * muW
            guard variance >= 0 else {
                throw .outOfRange(field: "fluctuationDriven: σ_W² of afferent \(c)", value: variance,
                                  range: "≥ 0 (μ_U too large for the requested σ_U/ξ at this fan-in and rate)")
            }
            return (muW, variance.squareRoot())
        }
    }
}
