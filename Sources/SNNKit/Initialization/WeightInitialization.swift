/// A rule for drawing a network's weights.
public enum WeightInitialization: Sendable, Hashable, Codable {
    /// Fluctuation-driven (Rossbroich et al. 2022), data-dependent through the presynaptic rates.
    case fluctuationDriven(FluctuationDrivenInitializer)
    /// Kaiming normal: `N(0, gain/√n)`; gain √2 gives `n·Var[W] = 2` (the θ = 0 case of Micheli et al. 2024).
    case kaimingNormal(gain: Double)
    /// A distribution whose scale shrinks with the fan-in (e.g. PyTorch's default `U(±1/√n)`).
    case scaled(distribution: WeightDistribution, scaling: FanInScaling, gain: Double)

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

    /// Kaiming normal with gain √2.
    public static let kaimingNormal = WeightInitialization.kaimingNormal(gain: 2.0.squareRoot())

    func validate() throws(ConfigurationError) {
        switch self {
        case let .fluctuationDriven(f): try f.validate()
        case let .kaimingNormal(gain): try ConfigurationError.requirePositive(gain, "kaimingNormal.gain")
        case let .scaled(_, _, gain): try ConfigurationError.requirePositive(gain, "scaled.gain")
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
}
