/// A rule for drawing a network's weights.
public enum WeightInitialization: Sendable, Hashable, Codable {
    /// Fluctuation-driven (Rossbroich et al. 2022), data-dependent through the presynaptic rates.
    case fluctuationDriven(FluctuationDrivenInitializer)
    /// Kaiming normal: `N(0, gain/√n)`; gain √2 gives `n·Var[W] = 2` (the θ = 0 case of Micheli et al. 2024).
    case kaimingNormal(gain: Double)
    /// A distribution whose scale shrinks with the fan-in (e.g. PyTorch's default `U(±1/√n)`).
    case scaled(distribution: WeightDistribution, scaling: FanInScaling, gain: Double)
    /// Deep activity propagation (Micheli et al. 2024): zero-mean Gaussian with `n·Var[W] = 1/(1 − Φ(θ))`,
    /// optionally with a finite-width correction; data-independent.
    case deepPropagation(DeepPropagationInitializer)
    /// A target firing rate per layer (Perez-Nieves & Goodman 2023): the σ_U whose predicted rate is the target,
    /// then the centered fluctuation-driven rule; data-dependent through the presynaptic rates.
    case targetRate(TargetRateInitializer)

    /// Centered fluctuation-driven initialization: μ_U = 0 and the given σ_U.
    public static func fluctuationDriven(sigmaU: Double, feedForwardShare: Double = 0.9,
                                         integration: KernelIntegration = .numerical) -> WeightInitialization {
        .fluctuationDriven(FluctuationDrivenInitializer(target: .centered(sigmaU: sigmaU), feedForwardShare: feedForwardShare,
                                                        integration: integration))
    }

    /// Fluctuation-driven initialization with mean μ_U and threshold distance ξ = (θ − μ_U)/σ_U.
    public static func fluctuationDriven(meanU: Double, xi: Double, feedForwardShare: Double = 0.9,
                                         integration: KernelIntegration = .numerical) -> WeightInitialization {
        .fluctuationDriven(FluctuationDrivenInitializer(target: .meanAndThresholdDistance(meanU: meanU, xi: xi),
                                                        feedForwardShare: feedForwardShare, integration: integration))
    }

    /// Deep activity propagation (Micheli et al. 2024): `n·Var[W] = 1/(1 − Φ(θ))` (6.3030 at θ = 1; Kaiming at θ = 0),
    /// with `finiteWidth` replacing 1 − Φ(θ) by a lower confidence bound for the projection's fan-in.
    public static func deepPropagation(threshold: Double = 1, finiteWidth: FiniteWidthCorrection = .none) -> WeightInitialization {
        .deepPropagation(DeepPropagationInitializer(threshold: threshold, finiteWidth: finiteWidth))
    }

    /// Every spiking layer initialized for the predicted rate ν_out = `hertz` (Perez-Nieves & Goodman 2023): σ_U from
    /// the Siegert prediction, then the centered fluctuation-driven rule (see ``TargetRateInitializer``).
    public static func targetRate(hertz: Double, feedForwardShare: Double = 0.9, integration: KernelIntegration = .numerical,
                                  noiseCorrection: SynapticNoiseCorrection = .fourcaudBrunel,
                                  meanSpread: MeanSpreadTreatment = .campbell) -> WeightInitialization {
        .targetRate(TargetRateInitializer(hertz: hertz, feedForwardShare: feedForwardShare, integration: integration,
                                          noiseCorrection: noiseCorrection, meanSpread: meanSpread))
    }

    /// Kaiming normal with gain √2.
    public static let kaimingNormal = WeightInitialization.kaimingNormal(gain: 2.0.squareRoot())

    func validate() throws(ConfigurationError) {
        switch self {
        case let .fluctuationDriven(f): try f.validate()
        case let .kaimingNormal(gain): try ConfigurationError.requirePositive(gain, "kaimingNormal.gain")
        case let .scaled(_, _, gain): try ConfigurationError.requirePositive(gain, "scaled.gain")
        case let .deepPropagation(d): try d.validate()
        case let .targetRate(t): try t.validate()
        }
    }
}

/// Where the presynaptic rates ν of initialization come from (SPEC §3.4).
public enum PresynapticRates: Sendable {
    /// One rate for every projection (the reference: the data set's mean input rate, assumed for hidden layers too).
    case fixed(hertz: Double)
    /// ν of the input measured from the data; with `layerWise`, each hidden layer's rate is measured by simulating the
    /// network initialized so far on `samples` samples, and downstream layers are initialized with it.
    case measured(on: SpikeDataset, samples: Int = 256, layerWise: Bool = true)
    /// ν of each input channel given in `hertz` (measured beforehand, e.g. by one streaming pass over a data set too
    /// large for memory); with `layerWise`, each hidden layer's rate is measured by simulating the network initialized
    /// so far on all samples of `batch`. Made from any ``SpikeSampleSource`` by ``makeMeasured(on:samples:layerWise:)``.
    case measuredChannels(hertz: [Double], batch: SpikeDataset, layerWise: Bool = true)

    /// ν measured on any source, in memory or streamed: the rate of each channel over all of its samples
    /// (``SpikeSampleSource/channelRates()``, one pass that reads 256 samples at a time), the layer-wise rates on its
    /// first `samples` samples. Initializes exactly as ``measured(on:samples:layerWise:)`` does on the same samples
    /// held in memory.
    ///
    /// - Throws: ``ConfigurationError`` for a non-positive `samples` or an empty source; the source's
    ///   ``SpikeSampleSource/Failure`` when its samples cannot be read.
    public static func makeMeasured(on source: some SpikeSampleSource, samples: Int = 256, layerWise: Bool = true) throws -> PresynapticRates {
        try ConfigurationError.requirePositive(samples, "rates.measured(samples:)")
        try ConfigurationError.requirePositive(source.count, "rates.measured: data set samples")
        if let data = source as? SpikeDataset { return .measured(on: data, samples: samples, layerWise: layerWise) }
        return .measuredChannels(hertz: try source.channelRates(), batch: try source.loadSamples(0..<min(samples, source.count)),
                                 layerWise: layerWise)
    }
}
