/// Whether a rate prediction accounts for the spread of the neurons' mean potentials.
public enum MeanSpreadTreatment: String, Sendable, Hashable, Codable {
    /// Every neuron is taken to fluctuate around the population mean μ_U.
    case ignored
    /// Quenched weights spread the neurons' means as N(μ_U, s²) with Campbell's s² = Σ_c n_c σ_W,c² (ν_c ε̄)²; for the
    /// centered rule s = σ_U·ε̄·√(Σ_c scale_c ν_c / ε̂) (``FreeMembraneStatistics``). The population rate is the
    /// average over that spread, which below threshold is well above the single-neuron rate.
    case campbell
}

/// Initialization for a target firing rate per layer (the strategy of Perez-Nieves & Goodman 2023: propagate the
/// membrane statistics through the layers and choose them so that a rate prediction gives the rate wanted).
///
/// For every spiking layer, solves for the σ_U of a centered free membrane (μ_U = 0) at which the diffusion
/// approximation ``LIFRatePredictor`` (Siegert formula with the Fourcaud–Brunel colored-noise correction, for the
/// layer's τ_mem, τ_syn, θ and Δt) predicts `hertz` — by default averaged over the spread of the neurons' means that
/// the weights will cause (``MeanSpreadTreatment/campbell``) — then draws the weights with the centered
/// fluctuation-driven rule for that σ_U (``FluctuationDrivenInitializer``: σ_W² = scale·σ_U²/(n ν ε̂)). Non-spiking
/// layers (readouts) get `readoutSigmaU`. Combine it with layer-wise measured rates
/// (``PresynapticRates/measured(on:samples:layerWise:)``) so that every layer's ν is the rate its source fires at.
public struct TargetRateInitializer: Sendable, Hashable, Codable {
    /// The target rate ν_out of every spiking layer (Hz).
    public var hertz: Double
    /// α: the share of the membrane variance from feed-forward afferents when a layer also has recurrent ones.
    public var feedForwardShare: Double
    /// How ε̄ and ε̂ are computed (for the weights and for the prediction).
    public var integration: KernelIntegration
    /// The colored-noise treatment of the prediction.
    public var noiseCorrection: SynapticNoiseCorrection
    /// Whether the prediction averages over the spread of the neurons' means.
    public var meanSpread: MeanSpreadTreatment
    /// σ_U of non-spiking layers (readouts), which have no rate.
    public var readoutSigmaU: Double

    /// Creates the initializer.
    public init(hertz: Double, feedForwardShare: Double = 0.9, integration: KernelIntegration = .numerical,
                noiseCorrection: SynapticNoiseCorrection = .fourcaudBrunel, meanSpread: MeanSpreadTreatment = .campbell,
                readoutSigmaU: Double = 1) {
        self.hertz = hertz
        self.feedForwardShare = feedForwardShare
        self.integration = integration
        self.noiseCorrection = noiseCorrection
        self.meanSpread = meanSpread
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

    /// s/σ_U, the spread of the neurons' means per unit σ_U under the centered rule for these afferents:
    /// ε̄·√(Σ_c scale_c ν_c / ε̂) (0 with ``MeanSpreadTreatment/ignored``).
    public func spreadPerSigmaU(afferents: [FluctuationDrivenInitializer.Afferent], kernel: PSPKernelIntegrals) -> Double {
        guard meanSpread == .campbell, !afferents.isEmpty else { return 0 }
        let recurrent = afferents.filter(\.isRecurrent).count, feedForward = afferents.count - recurrent
        let alpha = recurrent == 0 ? 1 : (feedForward == 0 ? 0 : feedForwardShare)
        var total = 0.0
        for a in afferents {
            total += (a.isRecurrent ? (1 - alpha) / Double(recurrent) : alpha / Double(feedForward)) * a.rate
        }
        return kernel.mean * (total / kernel.meanSquare).squareRoot()
    }

    /// The σ_U that a layer of this neuron model with these afferents is given: the solution of predicted rate =
    /// `hertz` for a spiking model, `readoutSigmaU` otherwise.
    /// - Throws: ``ConfigurationError/outOfRange(field:value:range:)`` when no σ_U gives the rate.
    public func sigmaU(for neuron: NeuronModel, timeStep: Duration, afferents: [FluctuationDrivenInitializer.Afferent]) throws(ConfigurationError) -> Double {
        guard let predictor = LIFRatePredictor(neuron: neuron, timeStep: timeStep, integration: integration,
                                               noiseCorrection: noiseCorrection) else { return readoutSigmaU }
        return try predictor.sigmaU(forHertz: hertz, meanU: 0, spreadPerSigmaU: spreadPerSigmaU(afferents: afferents, kernel: predictor.kernel))
    }

    /// The centered fluctuation-driven rule for a layer of this neuron model with these afferents.
    public func fluctuationDriven(for neuron: NeuronModel, timeStep: Duration,
                                  afferents: [FluctuationDrivenInitializer.Afferent]) throws(ConfigurationError) -> FluctuationDrivenInitializer {
        FluctuationDrivenInitializer(target: .centered(sigmaU: try sigmaU(for: neuron, timeStep: timeStep, afferents: afferents)),
                                     feedForwardShare: feedForwardShare, integration: integration)
    }
}
