/// Trial-to-trial variability of a network with stochastic neurons (paper 4): the same input simulated in several
/// trials with independent escape noise.
public struct TrialVariability: Sendable, Codable {
    /// Per spiking layer: the Fano factor Var/Mean of each neuron's spike count across trials, averaged over the
    /// (sample, neuron) pairs with a non-zero mean count. 1 for Poisson-like variability, 0 for deterministic neurons.
    public var fanoFactors: [Double]
    /// Per spiking layer: the mean spike count per neuron and sample.
    public var meanCounts: [Double]
    /// The across-trial standard deviation of the readout's max-over-time value, averaged over samples and units.
    public var readoutStandardDeviation: Double
    /// The number of trials.
    public var trials: Int

    /// The Fano factor of counts `[trial][unit]` (Var/Mean per unit, unbiased variance; units with zero mean are
    /// skipped); nil when every unit is silent or there are fewer than 2 trials.
    public static func fanoFactor(_ counts: [[Double]]) -> Double? {
        guard counts.count >= 2, let width = counts.first?.count else { return nil }
        var total = 0.0, used = 0
        for u in 0..<width {
            // Welford over trials.
            var mean = 0.0, m2 = 0.0
            for (k, trial) in counts.enumerated() {
                let d = trial[u] - mean
                mean += d / Double(k + 1)
                m2 += d * (trial[u] - mean)
            }
            guard mean > 0 else { continue }
            total += m2 / Double(counts.count - 1) / mean
            used += 1
        }
        return used > 0 ? total / Double(used) : nil
    }
}

extension SpikingNetwork {
    /// Simulates `input` (`[T, B, N_in]`) in `trials` trials with independent escape-noise seeds (`seed`, `seed + 1`, …)
    /// and measures the trial-to-trial variability of spike counts and of the readout.
    /// - Throws: ``ConfigurationError`` if the input does not fit or `trials` < 2.
    public func measureTrialVariability(on input: Tensor, trials: Int, seed: UInt64 = 1) throws(ConfigurationError) -> TrialVariability {
        guard trials >= 2 else { throw .outOfRange(field: "trials", value: Double(trials), range: "≥ 2") }
        let workspace = SimulationWorkspace()
        let spiking = layers.indices.filter { layers[$0].neuron.isSpiking }
        var counts = [[[Double]]](repeating: [], count: spiking.count)   // [layer][trial][sample·unit]
        var readout: [[Double]] = []
        let last = layers.count - 1
        for trial in 0..<trials {
            try workspace.forward(self, input: input, options: ForwardOptions(noiseSeed: seed &+ UInt64(trial)))
            let (steps, batch) = (workspace.steps, workspace.batch)
            for (i, k) in spiking.enumerated() {
                var c = [Float](repeating: 0, count: batch * layers[k].size)
                c.withUnsafeMutableBufferPointer { workspace.accumulateSpikeCounts(ofLayer: k, into: $0) }
                counts[i].append(c.map(Double.init))
            }
            let out = workspace.output(ofLayer: last), width = batch * layers[last].size
            readout.append((0..<width).map { e in (0..<steps).reduce(-Double.infinity) { max($0, Double(out[$1 * width + e])) } })
        }
        var readoutSD = 0.0
        for e in 0..<readout[0].count {
            let values = readout.map { $0[e] }
            let mean = values.reduce(0, +) / Double(trials)
            readoutSD += (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(trials - 1)).squareRoot()
        }
        return TrialVariability(fanoFactors: counts.map { TrialVariability.fanoFactor($0) ?? 0 },
                                meanCounts: counts.map { c in c.flatMap { $0 }.reduce(0, +) / Double(c.count * max(c[0].count, 1)) },
                                readoutStandardDeviation: readoutSD / Double(readout[0].count), trials: trials)
    }
}
