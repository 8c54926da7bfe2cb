import Foundation

/// Per-neuron membrane and synaptic time constants of a spiking layer: heterogeneous (drawn once) and/or learned
/// (SPEC §1.1 options). With raw parameters `p`, the effective time constant of neuron n is
/// `τ_eff[n] = 2·τ·sigmoid(p[n])` (τ of the layer's dynamics), so `p = 0` gives τ and τ_eff stays in (0, 2τ).
public struct NeuronTimeConstants: Sendable, Hashable, Codable {
    /// `[2, N]` raw parameters: row 0 for τ_mem, row 1 for τ_syn (of the excitatory current).
    public var parameters: Tensor
    /// Whether the parameters are trained (a ``ParameterID/Kind/timeConstants`` parameter of the network).
    public var isLearned: Bool

    /// Homogeneous time constants (`p = 0`) for `units` neurons.
    public init(units: Int, isLearned: Bool) {
        self.parameters = Tensor(shape: [2, units])
        self.isLearned = isLearned
    }

    /// Heterogeneous time constants: each neuron's τ is τ·exp(σ·z − σ²/2) (log-normal with mean τ, z standard
    /// normal), clipped to (0.01τ, 1.99τ), for τ_mem and τ_syn independently.
    public init(units: Int, spread sigma: Double, isLearned: Bool, using rng: inout some RandomNumberGenerator) {
        self.init(units: units, isLearned: isLearned)
        for e in 0..<(2 * units) {
            let ratio = min(max(Foundation.exp(sigma * rng.nextStandardNormal() - sigma * sigma / 2), 0.01), 1.99)
            let half = ratio / 2   // sigmoid(p) = τ_n/(2τ)
            parameters.scalars[e] = Float(Foundation.log(half / (1 - half)))
        }
    }

    /// The effective time constants (seconds) of row `row` (0: membrane, 1: synapse) for base τ.
    public func effective(row: Int, base: Duration) -> [Double] {
        let n = parameters.shape[1]
        return (0..<n).map { 2 * base.seconds / (1 + Foundation.exp(-Double(parameters.scalars[row * n + $0]))) }
    }
}
