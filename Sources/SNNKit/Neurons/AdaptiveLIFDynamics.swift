import SNNKernels

/// Fixed dynamics of the adaptive LIF (SPEC §1.3): an LIF whose own spikes build up an adaptation current that is
/// subtracted from the drive,
///
///     I[t] = λ_s I[t-1] + X[t-1];  A[t] = λ_a A[t-1] + S[t-1]
///     U[t] = (λ_m U[t-1] + κ_m (I[t-1] − a·A[t-1])) (1 − S[t])
public struct AdaptiveLIFDynamics: Sendable, Hashable, Codable {
    /// τ_mem, the membrane time constant.
    public var tauMembrane: Duration
    /// τ_syn, the synaptic current time constant.
    public var tauSynapse: Duration
    /// τ_ada, the adaptation time constant.
    public var tauAdaptation: Duration
    /// a, the strength of the adaptation current.
    public var adaptationStrength: Float
    /// θ, the firing threshold.
    public var threshold: Float
    /// The surrogate derivative of the spike.
    public var surrogate: Surrogate
    /// Whether the reset is differentiated.
    public var resetGradient: ResetGradient

    /// Creates adaptive-LIF dynamics (reference defaults: τ 20/10 ms, τ_ada 100 ms, a = 0.1, θ 1).
    public init(tauMembrane: Duration = .milliseconds(20), tauSynapse: Duration = .milliseconds(10),
                tauAdaptation: Duration = .milliseconds(100), adaptationStrength: Float = 0.1, threshold: Float = 1,
                surrogate: Surrogate = .default, resetGradient: ResetGradient = .detached) {
        self.tauMembrane = tauMembrane
        self.tauSynapse = tauSynapse
        self.tauAdaptation = tauAdaptation
        self.adaptationStrength = adaptationStrength
        self.threshold = threshold
        self.surrogate = surrogate
        self.resetGradient = resetGradient
    }

    /// The LIF part (membrane, synapse, threshold, surrogate).
    var lif: LIFDynamics {
        LIFDynamics(tauMembrane: tauMembrane, tauSynapse: tauSynapse, threshold: threshold, surrogate: surrogate, resetGradient: resetGradient)
    }

    func validate(timeStep: Duration, field: String) throws(ConfigurationError) {
        try lif.validate(timeStep: timeStep, field: field, allowsZeroSynapse: false)
        try validateTimeConstant(tauAdaptation, timeStep: timeStep, field: "\(field).tauAdaptation")
        guard adaptationStrength.isFinite, adaptationStrength >= 0 else {
            throw .outOfRange(field: "\(field).adaptationStrength", value: Double(adaptationStrength), range: "[0, ∞)")
        }
    }
}

/// Fixed dynamics of the excitatory/inhibitory LIF of Dale's law (SPEC §1.4): separate excitatory and inhibitory
/// currents, the inhibitory one subtracted,
///
///     E[t] = λ_exc E[t-1] + X_exc[t-1];  Inh[t] = λ_inh Inh[t-1] + X_inh[t-1]
///     U[t] = (λ_m U[t-1] + κ_m (E[t-1] − Inh[t-1])) (1 − S[t])
///
/// Projections with ``Synapse/inhibitory`` drive `Inh`; all others drive `E`.
public struct ExcitatoryInhibitoryDynamics: Sendable, Hashable, Codable {
    /// τ_mem, the membrane time constant.
    public var tauMembrane: Duration
    /// τ_exc, the excitatory current time constant.
    public var tauExcitatory: Duration
    /// τ_inh, the inhibitory current time constant.
    public var tauInhibitory: Duration
    /// θ, the firing threshold.
    public var threshold: Float
    /// The surrogate derivative of the spike.
    public var surrogate: Surrogate
    /// Whether the reset is differentiated.
    public var resetGradient: ResetGradient

    /// Creates E/I dynamics (reference: τ_mem 20 ms, τ_exc 10 ms, τ_inh 20 ms, θ 1).
    public init(tauMembrane: Duration = .milliseconds(20), tauExcitatory: Duration = .milliseconds(10),
                tauInhibitory: Duration = .milliseconds(20), threshold: Float = 1, surrogate: Surrogate = .default,
                resetGradient: ResetGradient = .detached) {
        self.tauMembrane = tauMembrane
        self.tauExcitatory = tauExcitatory
        self.tauInhibitory = tauInhibitory
        self.threshold = threshold
        self.surrogate = surrogate
        self.resetGradient = resetGradient
    }

    /// The LIF part driven by the excitatory current.
    var lif: LIFDynamics {
        LIFDynamics(tauMembrane: tauMembrane, tauSynapse: tauExcitatory, threshold: threshold, surrogate: surrogate, resetGradient: resetGradient)
    }

    func validate(timeStep: Duration, field: String) throws(ConfigurationError) {
        try lif.validate(timeStep: timeStep, field: field, allowsZeroSynapse: false)
        try validateTimeConstant(tauInhibitory, timeStep: timeStep, field: "\(field).tauInhibitory")
    }
}
