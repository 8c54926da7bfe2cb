import SNNKit

/// Finite-difference checks of SNNKit's hand-written backward pass that mean something for surrogate gradients.
///
/// A surrogate gradient is not the derivative of the spiking network, so finite differences of the real network
/// prove nothing. The check therefore (1) runs the forward pass with each surrogate's antiderivative in place of
/// the step (``SpikeMode/smoothSurrogate``), so that the surrogate *is* the derivative, and (2) records the detached
/// reset factors once from the spiking network and replays them as constants. Finite differences of that smooth
/// network must then match the backward pass to tight tolerance.
///
/// Each parameter tensor is checked along a random direction `d` (`(L(θ+εd) − L(θ−εd))/2ε` against `∇L·d`),
/// which aggregates many entries and so is robust to Float32 rounding, and on its largest-gradient entries. The
/// finite difference is Richardson-extrapolated from steps ε and ε/2 (error O(ε⁴) for smooth surrogates).
public struct GradientCheck: Sendable {
    /// One compared quantity.
    public struct Comparison: Sendable, CustomStringConvertible {
        /// What was perturbed.
        public var label: String
        /// The backward pass's value.
        public var analytic: Double
        /// The central finite difference.
        public var numerical: Double
        /// ‖∇L‖₂ of the whole tensor: the scale that Float32 rounding noise in the finite difference is measured against.
        public var gradientNorm: Double
        /// `|a − n| / (max(|a|, |n|) + ‖∇L‖₂ of the tensor)`: relative for large components, relative to the
        /// tensor's gradient for small ones (whose finite differences are dominated by Float32 rounding).
        public var relativeError: Double
        /// `label: analytic a, numerical n, relative error e`.
        public var description: String { "\(label): analytic \(analytic), numerical \(numerical), relative error \(relativeError)" }
    }

    /// Finite-difference step (absolute, in parameter units along a unit-RMS direction).
    public var epsilon: Float
    /// Entries with the largest gradients checked individually per tensor.
    public var entriesPerTensor: Int

    /// Creates a check.
    public init(epsilon: Float = 1e-3, entriesPerTensor: Int = 3) {
        self.epsilon = epsilon
        self.entriesPerTensor = entriesPerTensor
    }

    /// Compares backward and finite differences for every parameter of `network` on one batch.
    ///
    /// - Parameters:
    ///   - input: `[T, B, N_in]` (any real values: the first projection is linear in it).
    ///   - labels: one class per sample.
    /// - Returns: one comparison per tensor direction and per checked entry.
    ///   - dropoutSeed: if given, layers with dropout use this fixed mask in every pass (so it is a constant).
    public func run(network: SpikingNetwork, input: Tensor, labels: [Int], loss: Loss, regularizers: [Regularizer] = [],
                    seed: UInt64 = 7, dropoutSeed: UInt64? = nil) throws -> [Comparison] {
        let workspace = SimulationWorkspace()
        try workspace.forward(network, input: input, options: ForwardOptions(spikeMode: .step, recordsResets: true, dropoutSeed: dropoutSeed))
        let smooth = ForwardOptions(spikeMode: .smoothSurrogate, replaysRecordedResets: true, dropoutSeed: dropoutSeed)

        func objective(_ net: SpikingNetwork, gradients: inout NetworkGradients, computesGradients: Bool) -> Double {
            workspace.forward(net, options: smooth)
            if computesGradients { workspace.zeroOutputGradients() }
            let last = net.layers.count - 1
            var value = loss.evaluate(output: workspace.output(ofLayer: last), steps: workspace.steps, batch: workspace.batch,
                                      classes: net.outputSize, labels: labels,
                                      gradient: computesGradients ? workspace.outputGradient(ofLayer: last) : nil).loss
            for r in regularizers { value += r.apply(network: net, workspace: workspace, gradients: &gradients, computesGradients: computesGradients) }
            return value
        }

        var gradients = NetworkGradients(zerosFor: network)
        _ = objective(network, gradients: &gradients, computesGradients: true)
        workspace.backward(network, into: &gradients)

        var rng = Xoshiro256StarStar(seed: seed)
        var scratch = NetworkGradients(zerosFor: network)
        func central(_ id: ParameterID, _ direction: [Float], _ h: Float) -> Double {
            var plus = network, minus = network
            for e in direction.indices {
                plus[id].scalars[e] += h * direction[e]
                minus[id].scalars[e] -= h * direction[e]
            }
            let lp = objective(plus, gradients: &scratch, computesGradients: false)
            let lm = objective(minus, gradients: &scratch, computesGradients: false)
            return (lp - lm) / (2 * Double(h))
        }
        // Richardson extrapolation of two central differences cancels the O(ε²) truncation term.
        func difference(_ id: ParameterID, _ direction: [Float]) -> Double {
            (4 * central(id, direction, epsilon / 2) - central(id, direction, epsilon)) / 3
        }
        var result: [Comparison] = []
        for (i, id) in gradients.ids.enumerated() {
            let g = gradients.tensors[i].scalars
            let direction = (0..<g.count).map { _ in Float(rng.nextStandardNormal()) }
            let norm = g.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            let analytic = zip(g, direction).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            result.append(compare("\(id) along a random direction", analytic, difference(id, direction), norm))
            let largest = g.indices.sorted { abs(g[$0]) > abs(g[$1]) }.prefix(entriesPerTensor)
            for e in largest {
                var unit = [Float](repeating: 0, count: g.count)
                unit[e] = 1
                result.append(compare("\(id)[\(e)]", Double(g[e]), difference(id, unit), norm))
            }
        }
        return result
    }

    private func compare(_ label: String, _ a: Double, _ n: Double, _ norm: Double) -> Comparison {
        Comparison(label: label, analytic: a, numerical: n, gradientNorm: norm,
                   relativeError: abs(a - n) / max(max(abs(a), abs(n)) + norm, 1e-12))
    }
}
