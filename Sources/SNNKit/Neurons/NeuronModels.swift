import Foundation
import SNNKernels

/// How the reset term `(1 − S[t])` enters the gradient.
public enum ResetGradient: Sendable, Hashable, Codable {
    /// The reset factor is treated as a constant (the reference default).
    case detached
    /// Differentiate through the reset with the surrogate.
    case differentiated
}

/// Fixed dynamics of a current-based LIF population (SPEC §1.1): time constants, threshold, surrogate.
///
/// Multiplicative reset to 0; the synaptic input is not scaled by `(1 − λ_s)`.
///
/// `tauSynapse` `.zero` removes the synaptic filter: λ_s = 0, so `I[t] = X[t−1]` holds only the previous step's input
/// and the membrane integrates its input directly, `U[t] = (λ_m U[t−1] + κ_m X[t−2])·(1 − S[t])`, with the same delays
/// as the current-based neuron. This is NIR's `LIF` (docs/nir.md).
public struct LIFDynamics: Sendable, Hashable, Codable {
    /// τ_mem, the membrane time constant.
    public var tauMembrane: Duration
    /// τ_syn, the synaptic current time constant; `.zero` for no synaptic filter (λ_s = 0, NIR's `LIF`).
    public var tauSynapse: Duration
    /// θ, the firing threshold.
    public var threshold: Float
    /// The surrogate derivative of the spike.
    public var surrogate: Surrogate
    /// Whether the reset is differentiated.
    public var resetGradient: ResetGradient
    /// Stochastic spiking (paper 4): when set, spikes are Bernoulli(f(U − θ)) and the backward pass uses f′ in place
    /// of ``surrogate``.
    public var escapeNoise: EscapeNoise?

    /// Creates LIF dynamics; defaults are those of the reference (τ 20/10 ms, θ 1, SuperSpike β 20, detached reset,
    /// deterministic spikes).
    public init(tauMembrane: Duration = .milliseconds(20), tauSynapse: Duration = .milliseconds(10), threshold: Float = 1,
                surrogate: Surrogate = .default, resetGradient: ResetGradient = .detached, escapeNoise: EscapeNoise? = nil) {
        self.tauMembrane = tauMembrane
        self.tauSynapse = tauSynapse
        self.threshold = threshold
        self.surrogate = surrogate
        self.resetGradient = resetGradient
        self.escapeNoise = escapeNoise
    }

    /// The derivative used by the backward pass: f′ of the escape noise if any, else ``surrogate``.
    public var effectiveSurrogate: Surrogate { escapeNoise?.surrogate ?? surrogate }

    /// Whether τ_syn is zero: no synaptic filter, `I[t] = X[t−1]` (NIR's `LIF`).
    public var hasSynapticFilter: Bool { tauSynapse != .zero }

    /// Validates against the network's time step; `allowsZeroSynapse` accepts τ_syn = 0 (plain LIF layers only).
    func validate(timeStep: Duration, field: String, allowsZeroSynapse: Bool = true) throws(ConfigurationError) {
        try validateTimeConstant(tauMembrane, timeStep: timeStep, field: "\(field).tauMembrane")
        if !(allowsZeroSynapse && tauSynapse == .zero) {
            try validateTimeConstant(tauSynapse, timeStep: timeStep, field: "\(field).tauSynapse")
        }
        guard threshold.isFinite else { throw .nonPositiveParameter(field: "\(field).threshold", value: Double(threshold)) }
        try surrogate.validate(field: "\(field).surrogate")
        try escapeNoise?.validate(field: "\(field).escapeNoise")
    }

    /// The per-step constants for time step Δt.
    public func coefficients(timeStep: Duration) -> LIFCoefficients {
        decayCoefficients(tauMembrane: tauMembrane, tauSynapse: tauSynapse, timeStep: timeStep, threshold: threshold)
    }
}

/// Fixed dynamics of the non-spiking leaky readout (SPEC §1.2).
///
/// `tauSynapse` `.zero` removes the synaptic filter (λ_s = 0): `O[t] = λ_m O[t−1] + κ_m X[t−2]`, a leaky integrator of
/// its input with the same delays as the current-based readout. This is NIR's `LI` (docs/nir.md).
public struct ReadoutDynamics: Sendable, Hashable, Codable {
    /// τ_mem of the readout; usually the whole sample duration.
    public var tauMembrane: Duration
    /// τ_syn of the readout; `.zero` for no synaptic filter (λ_s = 0, NIR's `LI`).
    public var tauSynapse: Duration
    /// The output's value before the first step, `O[-1]` (e.g. −1e-2 or −1e-3).
    public var initialState: Float

    /// Creates readout dynamics.
    public init(tauMembrane: Duration, tauSynapse: Duration = .milliseconds(10), initialState: Float = -1e-3) {
        self.tauMembrane = tauMembrane
        self.tauSynapse = tauSynapse
        self.initialState = initialState
    }

    /// Whether τ_syn is zero: no synaptic filter (NIR's `LI`).
    public var hasSynapticFilter: Bool { tauSynapse != .zero }

    func validate(timeStep: Duration, field: String) throws(ConfigurationError) {
        try validateTimeConstant(tauMembrane, timeStep: timeStep, field: "\(field).tauMembrane")
        if tauSynapse != .zero {
            try validateTimeConstant(tauSynapse, timeStep: timeStep, field: "\(field).tauSynapse")
        }
        guard initialState.isFinite else { throw .nonPositiveParameter(field: "\(field).initialState", value: Double(initialState)) }
    }

    /// The per-step constants for time step Δt (threshold unused).
    public func coefficients(timeStep: Duration) -> LIFCoefficients {
        decayCoefficients(tauMembrane: tauMembrane, tauSynapse: tauSynapse, timeStep: timeStep, threshold: .infinity)
    }
}

/// The neuron model of a layer.
public enum NeuronModel: Sendable, Hashable, Codable {
    /// Spiking current-based LIF (SPEC §1.1).
    case lif(LIFDynamics)
    /// Spiking LIF with an adaptation current (SPEC §1.3).
    case adaptiveLIF(AdaptiveLIFDynamics)
    /// Spiking LIF with excitatory and inhibitory currents (Dale's law, SPEC §1.4).
    case excitatoryInhibitory(ExcitatoryInhibitoryDynamics)
    /// Leaky delta-synapse neuron with subtractive reset (paper 2, SPEC §1.6).
    case leaky(LeakyDynamics)
    /// Non-spiking leaky readout (SPEC §1.2).
    case readout(ReadoutDynamics)
    /// No dynamics: the layer's output at step t is its input at step t, without delay (pooling layers).
    case passThrough

    /// Whether the layer is a population of spiking neurons.
    public var isSpiking: Bool {
        switch self {
        case .lif, .adaptiveLIF, .excitatoryInhibitory, .leaky: return true
        case .readout, .passThrough: return false
        }
    }

    /// The LIF part of a spiking model (for E/I: driven by the excitatory current; for adaptive: without adaptation).
    var spikingCore: LIFDynamics? {
        switch self {
        case let .lif(d): return d
        case let .adaptiveLIF(d): return d.lif
        case let .excitatoryInhibitory(d): return d.lif
        case .readout, .passThrough, .leaky: return nil
        }
    }

    /// τ_mem and τ_syn of the model (used by the PSP-kernel integrals of initialization); τ_syn of the excitatory
    /// current for E/I neurons. A pass-through layer reports zero.
    public var timeConstants: (membrane: Duration, synapse: Duration) {
        switch self {
        case let .readout(d): return (d.tauMembrane, d.tauSynapse)
        case .passThrough: return (.zero, .zero)
        case .leaky:
            return (.zero, .zero)   // defined per step by β (see LeakyDynamics); no synaptic current
        default:
            let c = spikingCore!
            return (c.tauMembrane, c.tauSynapse)
        }
    }

    /// τ of the current a synapse drives (τ_inh for the inhibitory synapse of an E/I neuron).
    public func synapseTimeConstant(_ synapse: Synapse) -> Duration {
        if synapse == .inhibitory, case let .excitatoryInhibitory(d) = self { return d.tauInhibitory }
        return timeConstants.synapse
    }

    /// Whether projections may drive the inhibitory current.
    public var hasInhibitoryCurrent: Bool {
        if case .excitatoryInhibitory = self { return true }
        return false
    }

    /// The firing threshold θ (1 for a readout, where it only enters non-centered initialization).
    public var threshold: Float {
        if case let .leaky(d) = self { return d.threshold }
        return spikingCore?.threshold ?? 1
    }

    /// The per-step constants for time step Δt (membrane and excitatory current).
    public func coefficients(timeStep: Duration) -> LIFCoefficients {
        switch self {
        case let .readout(d): return d.coefficients(timeStep: timeStep)
        case .passThrough: return LIFCoefficients(membraneDecay: 0, synapseDecay: 0, membraneGain: 1, threshold: .infinity)
        case let .leaky(d): return LIFCoefficients(membraneDecay: d.beta, synapseDecay: 0, membraneGain: 1, threshold: d.threshold)
        default: return spikingCore!.coefficients(timeStep: timeStep)
        }
    }

    /// The constants of the two-current scan for adaptive and E/I neurons (nil for the others).
    func dualCoefficients(timeStep: Duration) -> DualCurrentCoefficients? {
        switch self {
        case let .adaptiveLIF(d):
            return DualCurrentCoefficients(primary: coefficients(timeStep: timeStep), secondDecay: decay(d.tauAdaptation, timeStep))
        case let .excitatoryInhibitory(d):
            return DualCurrentCoefficients(primary: coefficients(timeStep: timeStep), secondDecay: decay(d.tauInhibitory, timeStep))
        default: return nil
        }
    }

    /// Whether the model has a second, subtracted current (adaptive and E/I neurons).
    var hasSecondCurrent: Bool {
        switch self {
        case .adaptiveLIF, .excitatoryInhibitory: return true
        default: return false
        }
    }

    /// a of an adaptive LIF (its spikes drive the subtracted current with this weight); 0 otherwise.
    var adaptationStrength: Float {
        if case let .adaptiveLIF(d) = self { return d.adaptationStrength }
        return 0
    }

    func validate(timeStep: Duration, field: String) throws(ConfigurationError) {
        switch self {
        case let .lif(d): try d.validate(timeStep: timeStep, field: field)
        case let .adaptiveLIF(d): try d.validate(timeStep: timeStep, field: field)
        case let .excitatoryInhibitory(d): try d.validate(timeStep: timeStep, field: field)
        case let .readout(d): try d.validate(timeStep: timeStep, field: field)
        case let .leaky(d): try d.validate(field: field)
        case .passThrough: break
        }
    }
}

private func decay(_ tau: Duration, _ timeStep: Duration) -> Float { Float(Foundation.exp(-timeStep.seconds / tau.seconds)) }

func validateTimeConstant(_ tau: Duration, timeStep: Duration, field: String) throws(ConfigurationError) {
    let t = tau.seconds
    guard t > 0, t.isFinite else { throw .nonPositiveTimeConstant(field: field, seconds: t) }
    guard timeStep.seconds < t else { throw .timeStepNotBelowTimeConstant(field: field, timeStep: timeStep.seconds, timeConstant: t) }
}

/// λ_m, λ_s, κ_m; τ_syn = 0 gives λ_s = 0 (no synaptic filter).
private func decayCoefficients(tauMembrane: Duration, tauSynapse: Duration, timeStep: Duration, threshold: Float) -> LIFCoefficients {
    let dt = timeStep.seconds
    let lm = Foundation.exp(-dt / tauMembrane.seconds), ls = tauSynapse == .zero ? 0 : Foundation.exp(-dt / tauSynapse.seconds)
    return LIFCoefficients(membraneDecay: Float(lm), synapseDecay: Float(ls), membraneGain: Float(1 - lm), threshold: threshold)
}
