import Foundation

/// Balanced fluctuation-driven initialization for Dalian (excitatory/inhibitory) networks
/// (Rossbroich, Gygax & Zenke 2022; SPEC §3.3).
///
/// Every weight of a Dalian network is non-negative, so the weights cannot be centred Gaussians as in
/// ``FluctuationDrivenInitializer``. Instead each afferent class c draws its weights from a non-negative
/// distribution: feed-forward excitatory (`ff`, fan-in N_ff), recurrent excitatory (`rec`, N_rec) and
/// inhibitory (`inh`, N_I). With Campbell's theorem (SPEC §3.1) and the E − Inh current of SPEC §1.4, a
/// Poisson rate ν gives the free membrane
///
///     μ_U  = ν [ε̄_E (N_ff E[W_ff] + N_rec E[W_rec]) − ε̄_I N_I E[W_inh]]
///     σ_U² = ν [ε̂_E (N_ff E[W_ff²] + N_rec E[W_rec²]) + ε̂_I N_I E[W_inh²]]
///
/// where ε̄_E, ε̂_E are the PSP integrals for (τ_mem, τ_exc) and ε̄_I, ε̂_I those for (τ_mem, τ_inh) of the
/// target population. The initializer imposes three constraints:
/// 1. **mean balance**, μ_U = 0: ε̄_E (N_ff E[W_ff] + N_rec E[W_rec]) = ε̄_I N_I E[W_inh];
/// 2. **variance target**, ν Σ_c N_c ε̂_c E[W_c²] = (θ/ξ)² = σ_U²;
/// 3. **feed-forward share**: a fraction α of the excitatory variance comes from the feed-forward afferents,
///    N_ff E[W_ff²] : N_rec E[W_rec²] = α : (1 − α) (only when both excitatory classes exist).
///
/// ``exponentialRates(feedForwardFanIn:recurrentFanIn:inhibitoryFanIn:hertz:excitatoryKernel:inhibitoryKernel:)``
/// solves them for exponential weights (the paper's choice), ``logNormalWeights(feedForwardFanIn:recurrentFanIn:inhibitoryFanIn:hertz:excitatoryKernel:inhibitoryKernel:coefficientOfVariation:)``
/// for log-normal ones.
///
/// The target is centred (μ_U = 0). SPEC §3.3 writes ξ = 1/σ_U for the unit threshold; in general
/// ξ = (θ − μ_U)/σ_U = θ/σ_U (``xi``), so θ/ξ = σ_U for every threshold and the formulas, which carry ξ/θ, hit
/// the requested σ_U whatever θ is.
public struct DaleInitializer: Sendable, Hashable, Codable {
    /// `sigmaU` — σ_U, the target standard deviation of the free membrane potential (μ_U = 0).
    public var sigmaU: Double
    /// `feedForwardShare` — α, the share of the *excitatory* membrane variance that comes from feed-forward
    /// excitatory afferents when the population also has recurrent excitatory ones (the rest, 1 − α, comes
    /// from the recurrent ones). Must lie in (0, 1) when there is recurrent excitation; ignored otherwise.
    public var feedForwardShare: Double
    /// `threshold` — θ, the firing threshold of the target neurons; it fixes ξ = θ/σ_U.
    public var threshold: Double

    /// Creates the initializer; call ``validate()`` (or any of the solving methods, which do) to check it.
    /// - Parameters:
    ///   - sigmaU: σ_U, the target membrane standard deviation.
    ///   - feedForwardShare: α, the feed-forward share of the excitatory variance (default 0.9).
    ///   - threshold: θ, the firing threshold (default 1).
    public init(sigmaU: Double = 1, feedForwardShare: Double = 0.9, threshold: Double = 1) {
        self.sigmaU = sigmaU
        self.feedForwardShare = feedForwardShare
        self.threshold = threshold
    }

    /// `xi` — ξ = (θ − μ_U)/σ_U = θ/σ_U, the distance from the mean membrane potential to the threshold in
    /// standard deviations (1/σ_U at θ = 1, as SPEC §3.3 writes it).
    public var xi: Double { threshold / sigmaU }

    /// Checks σ_U > 0 and θ > 0 (both finite). α is checked by the solving methods, and only when the
    /// population has recurrent excitatory afferents.
    /// - Throws: ``ConfigurationError/nonPositiveParameter(field:value:)``.
    public func validate() throws(ConfigurationError) {
        try ConfigurationError.requirePositive(sigmaU, "dale.sigmaU")
        try ConfigurationError.requirePositive(threshold, "dale.threshold")
    }

    // MARK: - Kernels

    /// The PSP integrals of an E/I target population: ε̄_E, ε̂_E for (τ_mem, τ_exc) and ε̄_I, ε̂_I for
    /// (τ_mem, τ_inh) (SPEC §3.1, §3.3).
    /// - Parameters:
    ///   - tauMembrane: τ_mem of the target neurons.
    ///   - tauExcitatory: τ_exc, the excitatory synaptic time constant of the target.
    ///   - tauInhibitory: τ_inh, the inhibitory synaptic time constant of the target.
    ///   - timeStep: Δt.
    ///   - integration: numerical (the reference default) or analytic integrals.
    /// - Throws: ``ConfigurationError/nonPositiveTimeConstant(field:seconds:)`` for a τ or Δt that is not positive.
    public static func kernels(
        tauMembrane: Duration, tauExcitatory: Duration, tauInhibitory: Duration, timeStep: Duration,
        integration: KernelIntegration = .numerical
    ) throws(ConfigurationError) -> (excitatory: PSPKernelIntegrals, inhibitory: PSPKernelIntegrals) {
        let named = [("dale.tauMembrane", tauMembrane.seconds), ("dale.tauExcitatory", tauExcitatory.seconds),
                     ("dale.tauInhibitory", tauInhibitory.seconds), ("dale.timeStep", timeStep.seconds)]
        for (field, seconds) in named where !(seconds > 0 && seconds.isFinite) {
            throw .nonPositiveTimeConstant(field: field, seconds: seconds)
        }
        let tm = tauMembrane.seconds, dt = timeStep.seconds
        return (PSPKernelIntegrals(tauMembrane: tm, tauSynapse: tauExcitatory.seconds, timeStep: dt, integration: integration),
                PSPKernelIntegrals(tauMembrane: tm, tauSynapse: tauInhibitory.seconds, timeStep: dt, integration: integration))
    }

    // MARK: - Exponential weights

    /// The rates λ of the exponential weight distributions of one Dalian population (mean 1/λ, E[W²] = 2/λ²).
    public struct ExponentialRates: Sendable, Hashable, Codable {
        /// `feedForward` — λ_ff, the rate of the feed-forward excitatory weights.
        public var feedForward: Double
        /// `recurrent` — λ_rec, the rate of the recurrent excitatory weights.
        public var recurrent: Double
        /// `inhibitory` — λ_inh, the rate of the inhibitory weights.
        public var inhibitory: Double

        /// Creates the rates from known values.
        public init(feedForward: Double, recurrent: Double, inhibitory: Double) {
            self.feedForward = feedForward
            self.recurrent = recurrent
            self.inhibitory = inhibitory
        }
    }

    /// λ_ff, λ_rec and λ_inh of exponentially distributed weights that balance excitation and inhibition
    /// and give the free membrane the standard deviation σ_U (SPEC §3.3).
    ///
    /// **No recurrent excitation** (N_rec = 0; also used when N_ff = 0, with N_E the one excitatory class, so
    /// that α has nothing to split), N_E = N_ff + N_rec:
    ///
    ///     δ_EI = (N_I ε̄_I)/(N_E ε̄_E)
    ///     λ_E  = ξ √2 · √(δ_EI² N_E ν ε̂_E + N_I ν ε̂_I) / (δ_EI θ)
    ///     λ_ff = λ_rec = λ_E,   λ_inh = λ_E δ_EI
    ///
    /// **With recurrent excitation** (N_ff > 0 and N_rec > 0):
    ///
    ///     δ_REC = √(α N_rec / ((1 − α) N_ff))
    ///     δ_EI  = δ_REC ε̄_I N_I / (δ_REC ε̄_E N_ff + ε̄_E N_rec)
    ///     λ_ff  = (ξ/θ) · √(2ν (N_ff ε̂_E + N_rec ε̂_E/δ_REC² + N_I ε̂_I/δ_EI²))
    ///     λ_rec = λ_ff δ_REC,   λ_inh = λ_ff δ_EI
    ///
    /// **Verification** (E[W] = 1/λ, E[W²] = 2/λ²). With recurrent excitation:
    /// - mean balance: ε̄_E (N_ff/λ_ff + N_rec/λ_rec) = ε̄_E (δ_REC N_ff + N_rec)/(δ_REC λ_ff), and
    ///   ε̄_I N_I/λ_inh = ε̄_I N_I/(δ_EI λ_ff) = (δ_REC ε̄_E N_ff + ε̄_E N_rec)/(δ_REC λ_ff): equal, so μ_U = 0;
    /// - variance: ν Σ_c N_c ε̂_c 2/λ_c² = (2ν/λ_ff²)(N_ff ε̂_E + N_rec ε̂_E/δ_REC² + N_I ε̂_I/δ_EI²) = (θ/ξ)² = σ_U²
    ///   by the definition of λ_ff;
    /// - feed-forward share: N_ff·2/λ_ff² : N_rec·2/(δ_REC² λ_ff²) = N_ff : (1 − α) N_ff/α = α : (1 − α).
    ///
    /// Without recurrent excitation: N_E ε̄_E/λ_E = N_I ε̄_I/(δ_EI λ_E) because δ_EI N_E ε̄_E = N_I ε̄_I; and
    /// ν(2N_E ε̂_E/λ_E² + 2N_I ε̂_I/(δ_EI² λ_E²)) = 2ν(δ_EI² N_E ε̂_E + N_I ε̂_I)/(δ_EI λ_E)² = (θ/ξ)².
    ///
    /// - Parameters:
    ///   - feedForwardFanIn: N_ff, the excitatory feed-forward afferents per neuron (effective: times the
    ///     connection probability for sparse projections).
    ///   - recurrentFanIn: N_rec, the excitatory recurrent afferents per neuron (may be 0).
    ///   - inhibitoryFanIn: N_I, the inhibitory afferents per neuron (must be positive: the balance needs them).
    ///   - rate: ν, the presynaptic rate in Hz (one rate for all afferents, as in the reference).
    ///   - excitatoryKernel: ε̄_E (`mean`), ε̂_E (`meanSquare`) for (τ_mem, τ_exc).
    ///   - inhibitoryKernel: ε̄_I, ε̂_I for (τ_mem, τ_inh).
    /// - Throws: ``ConfigurationError`` for σ_U ≤ 0, θ ≤ 0, ν ≤ 0, a negative fan-in, N_I = 0, no excitatory
    ///   afferent, α outside (0, 1) with N_rec > 0, or a non-positive kernel integral.
    public func exponentialRates(
        feedForwardFanIn: Double, recurrentFanIn: Double, inhibitoryFanIn: Double, hertz rate: Double,
        excitatoryKernel: PSPKernelIntegrals, inhibitoryKernel: PSPKernelIntegrals
    ) throws(ConfigurationError) -> ExponentialRates {
        try validateInputs(feedForwardFanIn, recurrentFanIn, inhibitoryFanIn, rate, excitatoryKernel, inhibitoryKernel)
        let nFF = feedForwardFanIn, nRec = recurrentFanIn, nI = inhibitoryFanIn, nu = rate
        let eBarE = excitatoryKernel.mean, eHatE = excitatoryKernel.meanSquare
        let eBarI = inhibitoryKernel.mean, eHatI = inhibitoryKernel.meanSquare
        let xi = self.xi, theta = threshold

        if nRec == 0 || nFF == 0 {
            let nE = nFF + nRec
            let deltaEI = (nI * eBarI) / (nE * eBarE)
            let lambdaE = xi * 2.0.squareRoot()
                * (deltaEI * deltaEI * nE * nu * eHatE + nI * nu * eHatI).squareRoot() / (deltaEI * theta)
            return ExponentialRates(feedForward: lambdaE, recurrent: lambdaE, inhibitory: lambdaE * deltaEI)
        }

        let alpha = feedForwardShare
        let deltaRec = (alpha * nRec / ((1 - alpha) * nFF)).squareRoot()
        let deltaEI = deltaRec * eBarI * nI / (deltaRec * eBarE * nFF + eBarE * nRec)
        let sum = nFF * eHatE + nRec * eHatE / (deltaRec * deltaRec) + nI * eHatI / (deltaEI * deltaEI)
        let lambdaFF = (xi / theta) * (2 * nu * sum).squareRoot()
        return ExponentialRates(feedForward: lambdaFF, recurrent: lambdaFF * deltaRec, inhibitory: lambdaFF * deltaEI)
    }

    // MARK: - Log-normal weights

    /// A log-normal distribution: W = exp(μ + σZ) with Z standard normal.
    public struct LogNormal: Sendable, Hashable, Codable {
        /// `mu` — μ, the mean of ln W.
        public var mu: Double
        /// `sigma` — σ, the standard deviation of ln W.
        public var sigma: Double

        /// Creates the distribution from the parameters of ln W.
        public init(mu: Double, sigma: Double) {
            self.mu = mu
            self.sigma = sigma
        }

        /// The log-normal with mean m = E[W] and second moment s = E[W²] (requires s ≥ m² > 0):
        /// μ = ln(m²/√s), σ² = ln(s/m²).
        public init(mean m: Double, secondMoment s: Double) {
            self.mu = Foundation.log(m * m / s.squareRoot())
            self.sigma = Foundation.log(s / (m * m)).squareRoot()
        }

        /// E[W] = exp(μ + σ²/2).
        public var mean: Double { Foundation.exp(mu + sigma * sigma / 2) }
        /// E[W²] = exp(2μ + 2σ²).
        public var secondMoment: Double { Foundation.exp(2 * mu + 2 * sigma * sigma) }
        /// The coefficient of variation std(W)/E[W] = √(exp(σ²) − 1).
        public var coefficientOfVariation: Double { Foundation.expm1(sigma * sigma).squareRoot() }

        /// Draws `count` weights (see ``DaleInitializer/sampleLogNormal(count:mu:sigma:using:)``).
        public func sample(count: Int, using rng: inout some RandomNumberGenerator) -> [Float] {
            DaleInitializer.sampleLogNormal(count: count, mu: mu, sigma: sigma, using: &rng)
        }
    }

    /// The log-normal weight distributions of one Dalian population.
    public struct LogNormalWeights: Sendable, Hashable, Codable {
        /// The feed-forward excitatory weights W_ff.
        public var feedForward: LogNormal
        /// The recurrent excitatory weights W_rec.
        public var recurrent: LogNormal
        /// The inhibitory weights W_inh.
        public var inhibitory: LogNormal

        /// Creates the set from known distributions.
        public init(feedForward: LogNormal, recurrent: LogNormal, inhibitory: LogNormal) {
            self.feedForward = feedForward
            self.recurrent = recurrent
            self.inhibitory = inhibitory
        }
    }

    /// Log-normal weight distributions that meet the same constraints as the exponential ones: mean balance,
    /// the variance target σ_U² and the feed-forward share α.
    ///
    /// **Derivation.** A log-normal class c has two parameters, so the three constraints leave three degrees of
    /// freedom open. They are fixed by giving every class the same coefficient of variation CV, i.e.
    /// E[W_c²] = k·m_c² with k = 1 + CV² and m_c = E[W_c]. Then
    /// - feed-forward share: N_ff k m_ff² : N_rec k m_rec² = α : (1 − α) ⇒ r_rec = m_rec/m_ff = √((1 − α) N_ff/(α N_rec))
    ///   (r_rec = 1 when only one excitatory class exists);
    /// - mean balance: ε̄_E (N_ff m_ff + N_rec m_rec) = ε̄_I N_I m_inh ⇒ r_inh = m_inh/m_ff = ε̄_E (N_ff + N_rec r_rec)/(ε̄_I N_I);
    /// - variance target: ν k m_ff² (N_ff ε̂_E + N_rec ε̂_E r_rec² + N_I ε̂_I r_inh²) = σ_U²
    ///   ⇒ m_ff = σ_U / √(k ν (N_ff ε̂_E + N_rec ε̂_E r_rec² + N_I ε̂_I r_inh²)).
    ///
    /// Each class then has m_c = r_c m_ff and s_c = k m_c², hence μ_c = ln(m_c²/√s_c) = ln(m_c/√k) and
    /// σ_c² = ln(s_c/m_c²) = ln(1 + CV²). The first two constraints are homogeneous in the means and the third
    /// sets their scale, so substituting back satisfies all three exactly. Since r_rec = 1/δ_REC and
    /// r_inh = 1/δ_EI, the means are the exponential means 1/λ_c times √(2/k), and the second moments equal the
    /// exponential ones 2/λ_c² for every CV; at CV = 1 (the default) the log-normal shares both moments with
    /// the exponential of ``exponentialRates(feedForwardFanIn:recurrentFanIn:inhibitoryFanIn:hertz:excitatoryKernel:inhibitoryKernel:)``.
    ///
    /// - Parameters:
    ///   - feedForwardFanIn: N_ff (see ``exponentialRates(feedForwardFanIn:recurrentFanIn:inhibitoryFanIn:hertz:excitatoryKernel:inhibitoryKernel:)``).
    ///   - recurrentFanIn: N_rec (may be 0).
    ///   - inhibitoryFanIn: N_I (must be positive).
    ///   - rate: ν in Hz.
    ///   - excitatoryKernel: ε̄_E, ε̂_E for (τ_mem, τ_exc).
    ///   - inhibitoryKernel: ε̄_I, ε̂_I for (τ_mem, τ_inh).
    ///   - coefficientOfVariation: CV = std(W)/E[W], shared by all three classes (default 1).
    /// - Throws: ``ConfigurationError`` as the exponential variant, and for CV ≤ 0.
    public func logNormalWeights(
        feedForwardFanIn: Double, recurrentFanIn: Double, inhibitoryFanIn: Double, hertz rate: Double,
        excitatoryKernel: PSPKernelIntegrals, inhibitoryKernel: PSPKernelIntegrals,
        coefficientOfVariation: Double = 1
    ) throws(ConfigurationError) -> LogNormalWeights {
        try validateInputs(feedForwardFanIn, recurrentFanIn, inhibitoryFanIn, rate, excitatoryKernel, inhibitoryKernel)
        try ConfigurationError.requirePositive(coefficientOfVariation, "dale.coefficientOfVariation")
        let nFF = feedForwardFanIn, nRec = recurrentFanIn, nI = inhibitoryFanIn, nu = rate
        let eBarE = excitatoryKernel.mean, eHatE = excitatoryKernel.meanSquare
        let eBarI = inhibitoryKernel.mean, eHatI = inhibitoryKernel.meanSquare
        let k = 1 + coefficientOfVariation * coefficientOfVariation

        let alpha = feedForwardShare
        let rRec = (nRec == 0 || nFF == 0) ? 1 : ((1 - alpha) * nFF / (alpha * nRec)).squareRoot()
        let rInh = eBarE * (nFF + nRec * rRec) / (eBarI * nI)
        let sum = nFF * eHatE + nRec * eHatE * rRec * rRec + nI * eHatI * rInh * rInh
        let mFF = sigmaU / (k * nu * sum).squareRoot()

        func distribution(_ m: Double) -> LogNormal { LogNormal(mean: m, secondMoment: k * m * m) }
        return LogNormalWeights(feedForward: distribution(mFF), recurrent: distribution(mFF * rRec),
                                inhibitory: distribution(mFF * rInh))
    }

    // MARK: - Sampling

    /// Draws `count` weights from the exponential distribution of rate λ (mean 1/λ, all non-negative).
    /// - Parameters:
    ///   - count: the number of weights.
    ///   - rate: λ > 0, e.g. ``ExponentialRates/feedForward``.
    ///   - rng: the generator (``Xoshiro256StarStar`` for reproducible weights).
    public static func sampleExponential(count: Int, rate: Double, using rng: inout some RandomNumberGenerator) -> [Float] {
        precondition(count >= 0 && rate > 0, "sampleExponential needs count ≥ 0 and rate λ > 0")
        var out = [Float](repeating: 0, count: count)
        for k in 0..<count { out[k] = Float(rng.nextExponential(rate: rate)) }
        return out
    }

    /// Draws `count` weights W = exp(μ + σZ), Z standard normal (all positive).
    /// - Parameters:
    ///   - count: the number of weights.
    ///   - mu: μ, the mean of ln W (``LogNormal/mu``).
    ///   - sigma: σ ≥ 0, the standard deviation of ln W (``LogNormal/sigma``).
    ///   - rng: the generator (``Xoshiro256StarStar`` for reproducible weights).
    public static func sampleLogNormal(count: Int, mu: Double, sigma: Double, using rng: inout some RandomNumberGenerator) -> [Float] {
        precondition(count >= 0 && sigma >= 0, "sampleLogNormal needs count ≥ 0 and σ ≥ 0")
        var out = [Float](repeating: 0, count: count)
        for k in 0..<count { out[k] = Float(Foundation.exp(mu + sigma * rng.nextStandardNormal())) }
        return out
    }

    // MARK: - Validation

    private func validateInputs(
        _ nFF: Double, _ nRec: Double, _ nI: Double, _ rate: Double,
        _ excitatory: PSPKernelIntegrals, _ inhibitory: PSPKernelIntegrals
    ) throws(ConfigurationError) {
        try validate()
        for (field, n) in [("dale.feedForwardFanIn", nFF), ("dale.recurrentFanIn", nRec), ("dale.inhibitoryFanIn", nI)]
        where !(n >= 0 && n.isFinite) {
            throw .outOfRange(field: field, value: n, range: "[0, ∞)")
        }
        guard nI > 0 else {
            throw .outOfRange(field: "dale.inhibitoryFanIn", value: nI, range: "(0, ∞) (the Dale balance needs inhibitory afferents)")
        }
        guard nFF + nRec > 0 else {
            throw .outOfRange(field: "dale.feedForwardFanIn + recurrentFanIn", value: nFF + nRec,
                              range: "(0, ∞) (the Dale balance needs excitatory afferents)")
        }
        if nRec > 0 {
            guard feedForwardShare > 0 && feedForwardShare < 1 else {
                throw .outOfRange(field: "dale.feedForwardShare", value: feedForwardShare,
                                  range: "(0, 1) with recurrent excitatory afferents")
            }
        }
        try ConfigurationError.requirePositive(rate, "dale.rate (Hz)")
        try ConfigurationError.requirePositive(excitatory.mean, "dale.excitatoryKernel.mean (ε̄_E)")
        try ConfigurationError.requirePositive(excitatory.meanSquare, "dale.excitatoryKernel.meanSquare (ε̂_E)")
        try ConfigurationError.requirePositive(inhibitory.mean, "dale.inhibitoryKernel.mean (ε̄_I)")
        try ConfigurationError.requirePositive(inhibitory.meanSquare, "dale.inhibitoryKernel.meanSquare (ε̂_I)")
    }
}
