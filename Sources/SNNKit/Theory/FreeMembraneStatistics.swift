/// The distribution of a population's free membrane potential (no threshold, no reset) predicted from its input
/// statistics by Campbell's theorem (Rossbroich et al. 2022; Perez-Nieves & Goodman 2023 propagate the same moments
/// through the layers).
///
/// For afferents c with fan-in n_c, independent Poisson inputs of rate ν_c, weights of mean μ_W,c and standard
/// deviation σ_W,c, and PSP-kernel integrals ε̄_c, ε̂_c:
/// ```
/// μ_U = Σ_c ± n_c ν_c μ_W,c ε̄_c                 (− for an inhibitory synapse)
/// σ_U² = Σ_c n_c ν_c (μ_W,c² + σ_W,c²) ε̂_c       (temporal variance of one neuron)
/// s²  = Σ_c n_c σ_W,c² (ν_c ε̄_c)²                (spread of the neurons' mean potentials: quenched weights)
/// ```
/// A neuron's membrane fluctuates around its own mean, which is drawn from N(μ_U, s²) across the population.
public struct FreeMembraneStatistics: Sendable, Hashable, Codable {
    /// μ_U, the population mean of the free membrane.
    public var mean: Double
    /// σ_U, the temporal standard deviation of one neuron's free membrane.
    public var standardDeviation: Double
    /// s, the standard deviation of the neurons' temporal means around μ_U.
    public var meanSpread: Double

    /// Creates the statistics from known values.
    public init(mean: Double, standardDeviation: Double, meanSpread: Double = 0) {
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.meanSpread = meanSpread
    }

    /// One afferent projection as Campbell's theorem sees it.
    public struct Afferent: Sendable, Hashable, Codable {
        /// n, the fan-in.
        public var fanIn: Double
        /// ν, the presynaptic rate (Hz).
        public var rate: Double
        /// μ_W, the weight mean.
        public var weightMean: Double
        /// σ_W, the weight standard deviation.
        public var weightStandardDeviation: Double
        /// ε̄ and ε̂ of the target's PSP kernel for this synapse.
        public var kernel: PSPKernelIntegrals
        /// Whether the synapse is inhibitory (its input is subtracted).
        public var isInhibitory: Bool

        /// Creates an afferent description.
        public init(fanIn: Double, rate: Double, weightMean: Double, weightStandardDeviation: Double, kernel: PSPKernelIntegrals,
                    isInhibitory: Bool = false) {
            self.fanIn = fanIn
            self.rate = rate
            self.weightMean = weightMean
            self.weightStandardDeviation = weightStandardDeviation
            self.kernel = kernel
            self.isInhibitory = isInhibitory
        }
    }

    /// μ_U, σ_U and s from Campbell's theorem (see the type's documentation).
    public static func campbell(_ afferents: [Afferent]) -> FreeMembraneStatistics {
        var mean = 0.0, variance = 0.0, spread = 0.0
        for a in afferents {
            let sign = a.isInhibitory ? -1.0 : 1.0
            mean += sign * a.fanIn * a.rate * a.weightMean * a.kernel.mean
            variance += a.fanIn * a.rate * (a.weightMean * a.weightMean + a.weightStandardDeviation * a.weightStandardDeviation) * a.kernel.meanSquare
            let drive = a.rate * a.kernel.mean
            spread += a.fanIn * a.weightStandardDeviation * a.weightStandardDeviation * drive * drive
        }
        return FreeMembraneStatistics(mean: mean, standardDeviation: variance.squareRoot(), meanSpread: spread.squareRoot())
    }
}
