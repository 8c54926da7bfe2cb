/// Initialization for a target firing rate per layer (the strategy of Perez-Nieves & Goodman 2023: propagate the
/// membrane statistics through the layers and choose them so that a rate prediction gives the rate wanted).
///
/// For every spiking layer, solves for the σ_U of a centered free membrane (μ_U = 0) at which the diffusion
/// approximation ``LIFRatePredictor`` (Siegert formula with the Fourcaud–Brunel colored-noise correction, for the
/// layer's τ_mem, τ_syn, θ and Δt) predicts `hertz`, then draws the weights with the centered fluctuation-driven rule
/// for that σ_U (``FluctuationDrivenInitializer``: σ_W² = scale·σ_U²/(n ν ε̂)). Non-spiking layers (readouts) get
/// `readoutSigmaU`. Combine it with layer-wise measured rates (``PresynapticRates/measured(on:samples:layerWise:)``)
/// so that every layer's ν is the rate its source actually fires at.
///
/// The prediction is for a single neuron; with quenched weights the neurons' mean potentials spread around μ_U, and
/// the measured population rate is then typically higher than the target (the rate is convex in μ_U below θ). The
/// initialization report shows the prediction next to the measured rate.
public struct TargetRateInitializer: Sendable, Hashable, Codable {
    /// The target rate ν_out of every spiking layer (Hz).
    public var hertz: Double
    /// α: the share of the membrane variance from feed-forward afferents when a layer also has recurrent ones.
    public var feedForwardShare: Double
    /// How ε̄ and ε̂ are computed (for the weights and for the prediction).
    public var integration: KernelIntegration
    /// The colored-noise treatment of the prediction.
    public var noiseCorrection: SynapticNoiseCorrection
    /// σ_U of non-spiking layers (readouts), which have no rate.
    public var readoutSigmaU: Double

    /// Creates the initializer.
    public init(hertz: Double, feedForwardShare: Double = 0.9, integration: KernelIntegration = .numerical,
                noiseCorrection: SynapticNoiseCorrection = .fourcaudBrunel, readoutSigmaU: Double = 1) {
        self.hertz = hertz
        self.feedForwardShare = feedForwardShare
        self.integration = integration
        self.noiseCorrection = noiseCorrection
        self.readoutSigmaU = readoutSigmaU
    }

    /// Checks ν_out > 0, α ∈ (0, 1] and the readout σ_U > 0.
    public func validate() throws(ConfigurationError) {
        try ConfigurationError.requirePositive(hertz, "targetRate.hertz")
        try ConfigurationError.requirePositive(readoutSigmaU, "targetRate.readoutSigmaU")
        guard feedForwardShare > 0 && feedForwardShare <= 1 else {
            throw .outOfRange(field: "targetRate.feedForwardShare", value: feedForwardShare, range: "(0, 1]")
        }
    }

    /// The σ_U that a layer of this neuron model is given: the solution of predicted rate = `hertz` for a spiking
    /// model, `readoutSigmaU` otherwise.
    /// - Throws: ``ConfigurationError/outOfRange(field:value:range:)`` when no σ_U gives the rate.
    public func sigmaU(for neuron: NeuronModel, timeStep: Duration) throws(ConfigurationError) -> Double {
        guard let predictor = LIFRatePredictor(neuron: neuron, timeStep: timeStep, integration: integration,
                                               noiseCorrection: noiseCorrection) else { return readoutSigmaU }
        return try predictor.sigmaU(forHertz: hertz, meanU: 0)
    }

    /// The centered fluctuation-driven rule for a layer of this neuron model.
    public func fluctuationDriven(for neuron: NeuronModel, timeStep: Duration) throws(ConfigurationError) -> FluctuationDrivenInitializer {
        FluctuationDrivenInitializer(target: .centered(sigmaU: try sigmaU(for: neuron, timeStep: timeStep)),
                                     feedForwardShare: feedForwardShare, integration: integration)
    }
}
