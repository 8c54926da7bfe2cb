import Foundation
import SNNKit

// Conventions shared by export and import (docs/nir.md): metadata keys, the channels-last ↔ channels-first
// permutation, the input weight w_in of the exponential-Euler mapping, and durations from seconds.

/// The metadata keys SNNKit writes into NIR graphs (all prefixed `snnkit_`); backends need none of them to run the
/// graph, SNNKit uses them to restore what NIR cannot say (Δt, training settings, exact layouts).
enum NIRMetadataKey {
    /// Graph: Δt in seconds (float64) of the discretization the parameters were mapped with.
    static let timeStep = "snnkit_time_step"
    /// Graph: the delay convention (a sentence).
    static let semantics = "snnkit_semantics"
    /// Input or neuron node: `"flat"` when SNNKit's units are a flat population exported as `[1, N]` for a `Conv1d`.
    static let layout = "snnkit_layout"
    /// Neuron or pooling node: the SNNKit layer's name.
    static let layerName = "snnkit_layer_name"
    /// CubaLIF or LIF: the surrogate derivative, as JSON.
    static let surrogate = "snnkit_surrogate"
    /// CubaLIF or LIF: `"detached"` or `"differentiated"`.
    static let resetGradient = "snnkit_reset_gradient"
    /// CubaLIF or LIF: dropout probability on transmitted spikes while training.
    static let dropout = "snnkit_dropout"
    /// CubaLI or LI: the readout's value before the first step.
    static let initialState = "snnkit_initial_state"
    /// CubaLIF or LIF: `[2, N]` raw per-neuron time-constant parameters p (SNNKit's channels-last unit order).
    static let timeConstantParameters = "snnkit_time_constant_parameters"
    /// CubaLIF or LIF: 1 when the per-neuron time constants are trained.
    static let learnsTimeConstants = "snnkit_learns_time_constants"
    /// CubaLIF or LIF: the base τ_mem (seconds) that the per-neuron parameters scale.
    static let tauMembraneBase = "snnkit_tau_mem_base"
    /// CubaLIF or LIF: the base τ_syn (seconds) that the per-neuron parameters scale (0 for LIF).
    static let tauSynapseBase = "snnkit_tau_syn_base"
    /// Weight node: the index of the projection among its target layer's afferents.
    static let afferent = "snnkit_afferent"
    /// Convolution node: 1 when the SNNKit projection has a bias (NIR convolutions always have one).
    static let hasBias = "snnkit_bias"
    /// Weight node: the lower bound of the weights after each optimizer step.
    static let minimum = "snnkit_minimum"
    /// Weight node: the upper bound of the weights after each optimizer step.
    static let maximum = "snnkit_maximum"

    /// The value of ``semantics``.
    static let semanticsText = "SNNKit (stork-compatible) discrete time: every projection delivers its input one time step later; "
        + "w_in = 1/(1 - exp(-dt/tau_syn)), r = 1 map the exponential-Euler update exactly; LIF and LI are CubaLIF and CubaLI "
        + "with tau_syn = 0 and w_in = 1 (docs/nir.md)"
}

extension ActivityShape {
    /// The NIR shape, channels first: `[N]`, `[C, L]` or `[C, H, W]`.
    var nirShape: [Int] { spatial.isEmpty ? [channels] : [channels] + spatial }

    /// Positions of the grid (1 for a flat population).
    var positions: Int { spatial.reduce(1, *) }

    /// The channels-first index of SNNKit's (channels-last) unit `u = position · C + channel`.
    func channelsFirstIndex(ofUnit u: Int) -> Int { (u % channels) * positions + u / channels }

    /// `values` in SNNKit's unit order rearranged into NIR's channels-first order.
    func channelsFirst<T>(_ values: [T]) -> [T] {
        var out = values
        for u in values.indices { out[channelsFirstIndex(ofUnit: u)] = values[u] }
        return out
    }

    /// `values` in NIR's channels-first order rearranged into SNNKit's unit order.
    func channelsLast<T>(_ values: [T]) -> [T] {
        var out = values
        for u in values.indices { out[u] = values[channelsFirstIndex(ofUnit: u)] }
        return out
    }
}

enum NIRMapping {
    /// `w_in = 1/(1 − λ_s)`, λ_s = exp(−Δt/τ_syn): with it the exponential-Euler update of
    /// `τ_syn dI/dt = −I + w_in·x` (x held over the step) is SNNKit's `I ← λ_s I + x`. τ_syn = 0 gives 1.
    static func inputWeight(tauSynapse: Double, timeStep: Double) -> Double {
        1 / -Foundation.expm1(-timeStep / tauSynapse)
    }

    /// The factor by which an imported node's afferent weights are scaled so that SNNKit's jump-per-input update
    /// reproduces `R·w_in·(1 − λ_s)` (`R` for `LIF` and `LI`: τ_syn = 0, w_in = 1); exactly 1 (no scaling) when it is
    /// within 1e-9 of 1.
    static func weightScale(resistance: Double, inputWeight: Double, tauSynapse: Double, timeStep: Double) -> Double {
        let f = resistance * inputWeight * -Foundation.expm1(-timeStep / tauSynapse)
        return abs(f - 1) <= 1e-9 ? 1 : f
    }

    /// The duration whose ``Duration/seconds`` is `seconds`: a whole number of nanoseconds when one fits (so 0.02 is
    /// exactly `.milliseconds(20)`), else attoseconds.
    static func duration(seconds: Double) -> Duration {
        let nanoseconds = (seconds * 1e9).rounded()
        if abs(nanoseconds) < 9e18 {
            let d = Duration.nanoseconds(Int64(nanoseconds))
            if d.seconds == seconds { return d }
        }
        let whole = seconds.rounded(.down)
        let atto = Int64(((seconds - whole) * 1e18).rounded())
        return Duration(secondsComponent: Int64(whole), attosecondsComponent: min(atto, 999_999_999_999_999_999))
    }
}
