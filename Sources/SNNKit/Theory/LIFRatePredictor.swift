import Foundation

/// How the prediction treats the synaptic filtering of the input noise (the current of SNNKit's LIF is low-pass
/// filtered with τ_syn, so the membrane is driven by colored, not white, noise).
public enum SynapticNoiseCorrection: String, Sendable, Hashable, Codable {
    /// White-noise diffusion approximation: threshold and reset as they are.
    case none
    /// Fourcaud & Brunel (2002): for synaptic filtering with τ_s ≪ τ_m, the rate is the white-noise rate with
    /// threshold and reset both shifted up by `σ·(α/2)·√(τ_s/τ_m)`, α = √2·|ζ(1/2)| ≈ 2.0653 (ζ the Riemann zeta).
    case fourcaudBrunel
}

/// Predicts the firing rate of SNNKit's current-based LIF population (SPEC §1.1) from the statistics of its free
/// membrane potential (the membrane simulated without threshold or reset): the diffusion approximation of Perez-Nieves
/// & Goodman (2023), with the Siegert formula (``SiegertRate``) and a cheap colored-noise correction.
///
/// The mapping, for the free-membrane mean μ_U and per-neuron temporal standard deviation σ_U (e.g. from Campbell's
/// theorem, `μ_U = n ν μ_W ε̄`, `σ_U² = n ν (μ_W² + σ_W²) ε̂`, or measured):
/// - **mean**: μ = μ_U;
/// - **noise amplitude**: the white noise that delivers the same input *intensity*. The free membrane of the filtered
///   neuron has variance ∝ ε̂ = ∫ε², a white-noise-driven one (kernel `ε̄·e^{−t/τ_m}/τ_m`, same area ε̄) has
///   ∝ ε̄²/(2τ_m); so σ = √2·σ_U·√(ε̄²/(2 τ_m ε̂)) in the Siegert convention (free std σ/√2). ε̄ and ε̂ are the
///   numerical integrals of the simulated discrete kernel (``PSPKernelIntegrals``); with the analytic ones
///   σ = σ_U·√(2(1 + τ_s/τ_m)).
/// - **colored noise** (``SynapticNoiseCorrection/fourcaudBrunel``, the default): θ and V_r shifted up by
///   σ·(α/2)·√(τ_s/τ_m).
/// - **reset and refractoriness**: V_r = 0 (the multiplicative reset); τ_ref = Δt, the step the membrane spends at 0
///   after a spike (the spike at step t is emitted for U[t−1] > θ and U[t] = 0).
///
/// Accuracy (measured against the discrete-time neuron at Δt = 2 ms, τ 20/10 ms, Gaussian input per step, 2000
/// neurons × 40 s): within 15 % for rates between 0.5 and 15 Hz (μ_U ∈ [0, 0.5], σ_U ∈ [0.4, 1]), typically a few
/// percent low; the uncorrected white-noise formula overestimates by a factor 2–4 there. The expansion behind the
/// correction assumes τ_s ≪ τ_m; at τ_s/τ_m = 1/2 it is an approximation that happens to hold well.
///
/// A population whose neurons have different mean potentials (quenched weights: the per-neuron temporal means spread
/// with standard deviation s around μ_U) fires at the average of the single-neuron rates,
/// ``hertz(meanU:sigmaU:meanSpread:)``.
public struct LIFRatePredictor: Sendable, Hashable, Codable {
    /// τ_m, the membrane time constant.
    public var tauMembrane: Duration
    /// τ_s, the synaptic time constant.
    public var tauSynapse: Duration
    /// Δt, the simulation time step (the refractory period of the prediction).
    public var timeStep: Duration
    /// θ, the threshold.
    public var threshold: Double
    /// The colored-noise treatment.
    public var noiseCorrection: SynapticNoiseCorrection
    /// ε̄ and ε̂ of the neuron's PSP kernel.
    public var kernel: PSPKernelIntegrals

    /// α = √2·|ζ(1/2)| of the Fourcaud–Brunel correction, ζ(1/2) = −1.4603545088095868.
    public static let fourcaudBrunelAlpha = 2.0.squareRoot() * 1.4603545088095868

    /// Creates the predictor for a neuron with the given time constants, threshold and time step.
    public init(tauMembrane: Duration = .milliseconds(20), tauSynapse: Duration = .milliseconds(10), threshold: Double = 1,
                timeStep: Duration, integration: KernelIntegration = .numerical, noiseCorrection: SynapticNoiseCorrection = .fourcaudBrunel) {
        self.tauMembrane = tauMembrane
        self.tauSynapse = tauSynapse
        self.timeStep = timeStep
        self.threshold = threshold
        self.noiseCorrection = noiseCorrection
        self.kernel = PSPKernelIntegrals(tauMembrane: tauMembrane.seconds, tauSynapse: tauSynapse.seconds, timeStep: timeStep.seconds,
                                         integration: integration)
    }

    /// Creates the predictor for LIF dynamics at time step Δt.
    public init(dynamics: LIFDynamics, timeStep: Duration, integration: KernelIntegration = .numerical,
                noiseCorrection: SynapticNoiseCorrection = .fourcaudBrunel) {
        self.init(tauMembrane: dynamics.tauMembrane, tauSynapse: dynamics.tauSynapse, threshold: Double(dynamics.threshold),
                  timeStep: timeStep, integration: integration, noiseCorrection: noiseCorrection)
    }

    /// The predictor of a layer's neuron model (its LIF core for adaptive and E/I neurons, which ignores adaptation
    /// and takes τ_syn of the excitatory current); nil for a readout or a pass-through layer.
    public init?(neuron: NeuronModel, timeStep: Duration, integration: KernelIntegration = .numerical,
                 noiseCorrection: SynapticNoiseCorrection = .fourcaudBrunel) {
        guard neuron.isSpiking else { return nil }
        let (tauM, tauS) = neuron.timeConstants
        guard tauM > .zero, tauS > .zero else { return nil }
        self.init(tauMembrane: tauM, tauSynapse: tauS, threshold: Double(neuron.threshold), timeStep: timeStep,
                  integration: integration, noiseCorrection: noiseCorrection)
    }

    /// σ of the Siegert formula (Brunel's convention) for the free-membrane standard deviation σ_U.
    public func noiseAmplitude(sigmaU: Double) -> Double {
        let whiteMeanSquare = kernel.mean * kernel.mean / (2 * tauMembrane.seconds)
        return 2.0.squareRoot() * sigmaU * (whiteMeanSquare / kernel.meanSquare).squareRoot()
    }

    /// The Siegert rate function with the shifted threshold and reset for σ_U.
    public func siegert(sigmaU: Double) -> SiegertRate {
        let shift: Double
        switch noiseCorrection {
        case .none: shift = 0
        case .fourcaudBrunel:
            shift = noiseAmplitude(sigmaU: sigmaU) * Self.fourcaudBrunelAlpha / 2 * (tauSynapse.seconds / tauMembrane.seconds).squareRoot()
        }
        return SiegertRate(tauMembrane: tauMembrane, refractoryPeriod: timeStep, threshold: threshold + shift, reset: shift)
    }

    /// The predicted rate (Hz) of one neuron whose free membrane has mean μ_U and temporal standard deviation σ_U.
    public func hertz(meanU: Double, sigmaU: Double) -> Double {
        siegert(sigmaU: sigmaU).hertz(mean: meanU, sigma: noiseAmplitude(sigmaU: sigmaU))
    }

    /// The predicted mean rate (Hz) of a population whose neurons' free-membrane means are spread as N(μ_U, s²)
    /// (s = `meanSpread`), each with temporal standard deviation σ_U: the single-neuron rate averaged over the
    /// spread (trapezoidal rule over ±8 s, exact to ~1e-10 for this smooth integrand).
    public func hertz(meanU: Double, sigmaU: Double, meanSpread: Double) -> Double {
        guard meanSpread > 0 else { return hertz(meanU: meanU, sigmaU: sigmaU) }
        let function = siegert(sigmaU: sigmaU), sigma = noiseAmplitude(sigmaU: sigmaU)
        let points = 161, range = 8.0
        let h = 2 * range / Double(points - 1)
        var total = 0.0
        for k in 0..<points {
            let z = -range + Double(k) * h
            let w = (k == 0 || k == points - 1 ? 0.5 : 1) * StandardNormal.density(z) * h
            total += w * function.hertz(mean: meanU + meanSpread * z, sigma: sigma)
        }
        return total
    }

    /// The σ_U of a free membrane with mean μ_U at which the predicted rate is `hertz` (bisection on log σ_U).
    ///
    /// With `spreadPerSigmaU` = k > 0 the neurons' means are taken to spread with s = k·σ_U (as quenched weights drawn
    /// for σ_U make them, ``MeanSpreadTreatment/campbell``) and the population rate is matched.
    /// - Throws: ``ConfigurationError/outOfRange(field:value:range:)`` when no σ_U in [1e-3, 1e3] gives the rate
    ///   (e.g. μ_U above threshold drives the neuron faster than the target even without noise).
    public func sigmaU(forHertz hertz: Double, meanU: Double = 0, spreadPerSigmaU: Double = 0) throws(ConfigurationError) -> Double {
        try ConfigurationError.requirePositive(hertz, "target rate (Hz)")
        func rate(_ logSigma: Double) -> Double {
            let sigma = Foundation.exp(logSigma)
            return self.hertz(meanU: meanU, sigmaU: sigma, meanSpread: spreadPerSigmaU * sigma)
        }
        var lower = Foundation.log(1e-3), upper = Foundation.log(1e3)
        let low = rate(lower), high = rate(upper)
        guard low < hertz && hertz < high else {
            throw .outOfRange(field: "target rate (Hz) at μ_U = \(meanU)", value: hertz,
                              range: "(\(low), \(high)), the rates σ_U ∈ [1e-3, 1e3] can give")
        }
        for _ in 0..<100 {
            let middle = 0.5 * (lower + upper)
            if rate(middle) < hertz { lower = middle } else { upper = middle }
            if upper - lower < 1e-9 { break }
        }
        return Foundation.exp(0.5 * (lower + upper))
    }
}
