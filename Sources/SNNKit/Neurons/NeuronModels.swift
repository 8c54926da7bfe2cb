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
public struct LIFDynamics: Sendable, Hashable, Codable {
    /// τ_mem, the membrane time constant.
    public var tauMembrane: Duration
    /// τ_syn, the synaptic current time constant.
    public var tauSynapse: Duration
    /// θ, the firing threshold.
    public var threshold: Float
    /// The surrogate derivative of the spike.
    public var surrogate: Surrogate
    /// Whether the reset is differentiated.
    public var resetGradient: ResetGradient

    /// Creates LIF dynamics; defaults are those of the reference (τ 20/10 ms, θ 1, SuperSpike β 20, detached reset).
    public init(tauMembrane: Duration = .milliseconds(20), tauSynapse: Duration = .milliseconds(10), threshold: Float = 1,
                surrogate: Surrogate = .default, resetGradient: ResetGradient = .detached) {
        self.tauMembrane = tauMembrane
        self.tauSynapse = tauSynapse
        self.threshold = threshold
        self.surrogate = surrogate
        self.resetGradient = resetGradient
    }

    /// Validates against the network's time step.
    func validate(timeStep: Duration, field: String) throws(ConfigurationError) {
        try validateTimeConstant(tauMembrane, timeStep: timeStep, field: "\(field).tauMembrane")
        try validateTimeConstant(tauSynapse, timeStep: timeStep, field: "\(field).tauSynapse")
        guard threshold.isFinite else { throw .nonPositiveParameter(field: "\(field).threshold", value: Double(threshold)) }
        try surrogate.validate(field: "\(field).surrogate")
    }

    /// The per-step constants for time step Δt.
    public func coefficients(timeStep: Duration) -> LIFCoefficients {
        decayCoefficients(tauMembrane: tauMembrane, tauSynapse: tauSynapse, timeStep: timeStep, threshold: threshold)
    }
}

/// Fixed dynamics of the non-spiking leaky readout (SPEC §1.2).
public struct ReadoutDynamics: Sendable, Hashable, Codable {
    /// τ_mem of the readout; usually the whole sample duration.
    public var tauMembrane: Duration
    /// τ_syn of the readout.
    public var tauSynapse: Duration
    /// The output's value before the first step, `O[-1]` (e.g. −1e-2 or −1e-3).
    public var initialState: Float

    /// Creates readout dynamics.
    public init(tauMembrane: Duration, tauSynapse: Duration = .milliseconds(10), initialState: Float = -1e-3) {
        self.tauMembrane = tauMembrane
        self.tauSynapse = tauSynapse
        self.initialState = initialState
    }

    func validate(timeStep: Duration, field: String) throws(ConfigurationError) {
        try validateTimeConstant(tauMembrane, timeStep: timeStep, field: "\(field).tauMembrane")
        try validateTimeConstant(tauSynapse, timeStep: timeStep, field: "\(field).tauSynapse")
        guard initialState.isFinite else { throw .nonPositiveParameter(field: "\(field).initialState", value: Double(initialState)) }
    }

    /// The per-step constants for time step Δt (threshold unused).
    public func coefficients(timeStep: Duration) -> LIFCoefficients {
        decayCoefficients(tauMembrane: tauMembrane, tauSynapse: tauSynapse, timeStep: timeStep, threshold: .infinity)
    }
}

/// The neuron model of a layer.
public enum NeuronModel: Sendable, Hashable, Codable {
    /// Spiking current-based LIF.
    case lif(LIFDynamics)
    /// Non-spiking leaky readout.
    case readout(ReadoutDynamics)

    /// Whether the layer emits binary spikes.
    public var isSpiking: Bool { if case .lif = self { return true } else { return false } }

    /// τ_mem and τ_syn of the model (used by the PSP-kernel integrals of initialization).
    public var timeConstants: (membrane: Duration, synapse: Duration) {
        switch self {
        case let .lif(d): return (d.tauMembrane, d.tauSynapse)
        case let .readout(d): return (d.tauMembrane, d.tauSynapse)
        }
    }

    /// The firing threshold θ (1 for a readout, where it only enters non-centered initialization).
    public var threshold: Float {
        if case let .lif(d) = self { return d.threshold }
        return 1
    }

    /// The per-step constants for time step Δt.
    public func coefficients(timeStep: Duration) -> LIFCoefficients {
        switch self {
        case let .lif(d): return d.coefficients(timeStep: timeStep)
        case let .readout(d): return d.coefficients(timeStep: timeStep)
        }
    }
}

private func validateTimeConstant(_ tau: Duration, timeStep: Duration, field: String) throws(ConfigurationError) {
    let t = tau.seconds
    guard t > 0, t.isFinite else { throw .nonPositiveTimeConstant(field: field, seconds: t) }
    guard timeStep.seconds < t else { throw .timeStepNotBelowTimeConstant(field: field, timeStep: timeStep.seconds, timeConstant: t) }
}

private func decayCoefficients(tauMembrane: Duration, tauSynapse: Duration, timeStep: Duration, threshold: Float) -> LIFCoefficients {
    let dt = timeStep.seconds
    let lm = Foundation.exp(-dt / tauMembrane.seconds), ls = Foundation.exp(-dt / tauSynapse.seconds)
    return LIFCoefficients(membraneDecay: Float(lm), synapseDecay: Float(ls), membraneGain: Float(1 - lm), threshold: threshold)
}
