/// Statistics of one layer's activity over a batch, measured from a simulation.
public struct ActivityStatistics: Sendable, Hashable, Codable {
    /// Mean firing rate over neurons, samples and time (Hz); 0 for a readout.
    public var rateHz: Double
    /// Mean over neurons and samples of the temporal mean of the free membrane potential.
    public var membraneMean: Double
    /// Mean over neurons and samples of the temporal standard deviation of the free membrane potential.
    public var membraneStandardDeviation: Double
    /// Leading steps left out of the membrane statistics (the transient from the zero initial state).
    public var burnInSteps: Int
    /// Standard deviation, over neurons and samples, of the per-neuron temporal mean of the free membrane: how far
    /// the neurons' mean potentials spread around ``membraneMean`` (quenched weights, different samples).
    public var membraneMeanSpread: Double = 0

    /// Mean firing rate of a `[T, B, N]` spike sequence in Hz.
    public static func rate(of spikes: UnsafeBufferPointer<Float>, steps: Int, timeStep: Double) -> Double {
        guard !spikes.isEmpty, steps > 0 else { return 0 }
        let width = spikes.count / steps
        var total = 0.0
        for t in 0..<steps {
            let row = spikes.baseAddress! + t * width
            var partial: Float = 0   // exact for 0/1 spikes up to 2²⁴ per step
            for e in 0..<width { partial += row[e] }
            total += Double(partial)
        }
        return total / Double(spikes.count) / timeStep
    }

    /// Per-neuron temporal mean and standard deviation (Welford) of a `[T, B, N]` trace, averaged over `B·N`.
    public static func membrane(_ trace: UnsafeBufferPointer<Float>, steps: Int, width: Int, burnIn: Int) -> (mean: Double, standardDeviation: Double) {
        let m = membraneWithSpread(trace, steps: steps, width: width, burnIn: burnIn)
        return (m.mean, m.standardDeviation)
    }

    /// ``membrane(_:steps:width:burnIn:)`` and the standard deviation over the `B·N` neuron-sample pairs of their
    /// temporal means (`meanSpread`).
    public static func membraneWithSpread(_ trace: UnsafeBufferPointer<Float>, steps: Int, width: Int,
                                          burnIn: Int) -> (mean: Double, standardDeviation: Double, meanSpread: Double) {
        let first = min(burnIn, steps - 1)
        let n = steps - first
        var meanSum = 0.0, stdSum = 0.0
        var mean = [Double](repeating: 0, count: width), m2 = [Double](repeating: 0, count: width)
        for t in first..<steps {
            let k = Double(t - first + 1)
            let row = t * width
            for e in 0..<width {
                let x = Double(trace[row + e])
                let d = x - mean[e]
                mean[e] += d / k
                m2[e] += d * (x - mean[e])
            }
        }
        for e in 0..<width {
            meanSum += mean[e]
            stdSum += n > 1 ? (m2[e] / Double(n - 1)).squareRoot() : 0
        }
        let average = meanSum / Double(width)
        var spread = 0.0
        for e in 0..<width { spread += (mean[e] - average) * (mean[e] - average) }
        spread = width > 1 ? (spread / Double(width - 1)).squareRoot() : 0
        return (average, stdSum / Double(width), spread)
    }
}

extension SpikingNetwork {
    /// Simulates the network on `input` (`[T, B, N_in]`) and measures each layer's firing rate and free-membrane
    /// statistics (the membrane of a layer simulated without spiking or reset, driven by the real upstream activity).
    public func measureActivity(on input: Tensor, workspace: SimulationWorkspace = SimulationWorkspace()) throws(ConfigurationError) -> [ActivityStatistics] {
        try workspace.forward(self, input: input)
        return measureActivityAfterForward(workspace)
    }

    /// ``measureActivity(on:workspace:)`` on the samples `samples` of `data`, simulated straight from their events in
    /// batches that fit a memory budget (``measurementBatches(_:steps:)``, ≈ 256 MB of workspace), so long sequences
    /// are measured in bounded memory; the statistics are pooled over the batches (rates and means weighted by
    /// neuron-samples, the spread of the neuron means by the pooled-variance rule). With one batch the result is the
    /// dense-tensor measurement's. `batchSize` overrides the budget's batch size.
    /// - Throws: ``ConfigurationError`` when the data does not fit the network or `samples` is empty.
    public func measureActivity(on data: SpikeDataset, samples: [Int], batchSize: Int? = nil,
                                workspace: SimulationWorkspace = SimulationWorkspace()) throws(ConfigurationError) -> [ActivityStatistics] {
        guard data.channels == inputs else {
            throw .shapeMismatch(what: "measurement data channels", expected: "\(inputs) (network inputs)", found: "\(data.channels)")
        }
        try ConfigurationError.requirePositive(samples.count, "measurement samples")
        var parts: [(weight: Double, statistics: [ActivityStatistics])] = []
        let batches = batchSize.map { size in stride(from: 0, to: samples.count, by: max(size, 1)).map { Array(samples[$0..<min($0 + max(size, 1), samples.count)]) } }
            ?? measurementBatches(samples, steps: data.steps)
        for batch in batches {
            workspace.prepare(for: self, steps: data.steps, batch: batch.count)
            workspace.setInput(from: data, samples: batch)
            workspace.forward(self)
            parts.append((Double(batch.count), measureActivityAfterForward(workspace)))
        }
        guard parts.count > 1 else { return parts[0].statistics }
        let total = parts.reduce(0) { $0 + $1.weight }
        return layers.indices.map { k in
            let n = parts.map { $0.weight * Double(layers[k].size) }, all = total * Double(layers[k].size)
            func pooled(_ value: (ActivityStatistics) -> Double) -> Double {
                zip(parts, n).reduce(0) { $0 + value($1.0.statistics[k]) * $1.1 } / all
            }
            let mean = pooled(\.membraneMean)
            var squares = 0.0
            for (part, count) in zip(parts, n) {
                let s = part.statistics[k]
                squares += (count - 1) * s.membraneMeanSpread * s.membraneMeanSpread + count * (s.membraneMean - mean) * (s.membraneMean - mean)
            }
            return ActivityStatistics(rateHz: pooled(\.rateHz), membraneMean: mean, membraneStandardDeviation: pooled(\.membraneStandardDeviation),
                                      burnInSteps: parts[0].statistics[k].burnInSteps,
                                      membraneMeanSpread: all > 1 ? (squares / (all - 1)).squareRoot() : 0)
        }
    }

    /// `samples` cut into consecutive batches whose workspace (≈ 6 floats per unit and step, plus the input) stays
    /// within ≈ 256 MB: all of them at once for the usual sizes, fewer per batch for long sequences or wide networks.
    func measurementBatches(_ samples: [Int], steps: Int) -> [[Int]] {
        let floatsPerSample = steps * (6 * layers.reduce(0) { $0 + $1.size } + inputs)
        let size = max(1, min(samples.count, (256 << 20) / max(4 * floatsPerSample, 1)))
        return stride(from: 0, to: samples.count, by: size).map { Array(samples[$0..<min($0 + size, samples.count)]) }
    }

    /// The statistics of the batch `workspace` has just simulated normally (the free-membrane passes run here).
    private func measureActivityAfterForward(_ workspace: SimulationWorkspace) -> [ActivityStatistics] {
        let dt = timeStep.seconds
        let steps = workspace.steps, batch = workspace.batch
        func burnIn(_ k: Int) -> Int { min(steps / 4, Int((layers[k].neuron.timeConstants.membrane.seconds / dt).rounded())) }
        // From the normal pass: rates, and the membrane of non-spiking layers (which have no reset to remove).
        var result = layers.indices.map { k in
            let rate = layers[k].neuron.isSpiking ? ActivityStatistics.rate(of: workspace.output(ofLayer: k), steps: steps, timeStep: dt) : 0
            let m = ActivityStatistics.membraneWithSpread(workspace.membrane(ofLayer: k), steps: steps, width: batch * layers[k].size,
                                                          burnIn: burnIn(k))
            return ActivityStatistics(rateHz: rate, membraneMean: m.mean, membraneStandardDeviation: m.standardDeviation, burnInSteps: burnIn(k),
                                      membraneMeanSpread: m.meanSpread)
        }
        // A spiking layer's free membrane: simulated without spike and reset, driven by the real upstream spikes.
        for k in layers.indices where layers[k].neuron.isSpiking {
            workspace.forward(self, options: ForwardOptions(freeMembraneLayers: [k]))
            let m = ActivityStatistics.membraneWithSpread(workspace.membrane(ofLayer: k), steps: steps, width: batch * layers[k].size,
                                                          burnIn: burnIn(k))
            result[k].membraneMean = m.mean
            result[k].membraneStandardDeviation = m.standardDeviation
            result[k].membraneMeanSpread = m.meanSpread
        }
        return result
    }
}
