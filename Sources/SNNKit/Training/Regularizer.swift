import SNNKernels

/// Which side of the threshold an activity regularizer penalizes.
public enum ActivityBound: String, Sendable, Hashable, Codable {
    /// Penalize spike counts above the threshold: `relu(cnt − θ_r)`.
    case upper
    /// Penalize spike counts below the threshold: `relu(θ_r − cnt)`.
    case lower
    /// Penalize any deviation: `cnt − θ_r`.
    case twoSided
}

/// The norm applied to the deviation.
public enum PenaltyNorm: String, Sendable, Hashable, Codable {
    /// Absolute value.
    case l1
    /// Square.
    case l2
}

/// Over which groups of units spike counts are averaged before the penalty.
public enum ActivityScope: String, Sendable, Hashable, Codable {
    /// Each neuron's count per sample.
    case neuron
    /// The mean count over the layer's units per sample.
    case population
    /// The mean count over the positions of each channel per sample (convolutional layers; = neuron for flat layers).
    case channel
    /// The mean count over the channels at each position per sample (convolutional layers; = population for flat layers).
    case position
}

/// A penalty added to the loss (SPEC §6): activity regularizers on spike counts `cnt = Σ_t S` per sample and unit,
/// and weight L1/L2 (mean over each weight matrix's elements, summed over matrices).
public enum Regularizer: Sendable, Hashable, Codable {
    /// `strength · mean(norm(bound(cnt − threshold)))` over samples and units (or populations); `layers` nil = every spiking layer.
    case activity(bound: ActivityBound, norm: PenaltyNorm, strength: Double, threshold: Double, scope: ActivityScope, layers: [Int]?)
    /// `strength · mean(|W|)` per weight matrix.
    case weightL1(strength: Double)
    /// `strength · mean(W²)` per weight matrix.
    case weightL2(strength: Double)

    /// Lower-bound L2 activity regularizer (reference: strength 100, threshold 1e-3 spikes, per neuron).
    public static func lowerBound(strength: Double, threshold: Double, per scope: ActivityScope = .neuron,
                                  norm: PenaltyNorm = .l2, layers: [Int]? = nil) -> Regularizer {
        .activity(bound: .lower, norm: norm, strength: strength, threshold: threshold, scope: scope, layers: layers)
    }

    /// Upper-bound L2 activity regularizer (reference: strength 0.1, threshold 7 (SHD) or 4 (Randman) spikes, per population).
    public static func upperBound(strength: Double, threshold: Double, per scope: ActivityScope = .population,
                                  norm: PenaltyNorm = .l2, layers: [Int]? = nil) -> Regularizer {
        .activity(bound: .upper, norm: norm, strength: strength, threshold: threshold, scope: scope, layers: layers)
    }

    /// Two-sided activity regularizer `strength · mean((cnt − threshold)²)`.
    public static func twoSided(strength: Double, threshold: Double, per scope: ActivityScope = .population,
                                norm: PenaltyNorm = .l2, layers: [Int]? = nil) -> Regularizer {
        .activity(bound: .twoSided, norm: norm, strength: strength, threshold: threshold, scope: scope, layers: layers)
    }

    /// Checks strengths are non-negative and layers exist.
    public func validate(for network: SpikingNetwork) throws(ConfigurationError) {
        switch self {
        case let .activity(_, _, strength, threshold, _, layers):
            guard strength >= 0, strength.isFinite else { throw .outOfRange(field: "regularizer.strength", value: strength, range: "[0, ∞)") }
            guard threshold.isFinite else { throw .nonPositiveParameter(field: "regularizer.threshold", value: threshold) }
            for k in layers ?? [] {
                guard network.layers.indices.contains(k), network.layers[k].neuron.isSpiking else {
                    throw .outOfRange(field: "regularizer.layers", value: Double(k), range: "indices of spiking layers")
                }
            }
        case let .weightL1(strength), let .weightL2(strength):
            guard strength >= 0, strength.isFinite else { throw .outOfRange(field: "regularizer.strength", value: strength, range: "[0, ∞)") }
        }
    }

    /// Adds the penalty's gradient to the workspace's output gradients (activity) or to `gradients` (weights) and
    /// returns the penalty value. Call after the forward pass, before ``SimulationWorkspace/backward(_:into:)``.
    public func apply(network: SpikingNetwork, workspace: SimulationWorkspace, gradients: inout NetworkGradients, computesGradients: Bool = true) -> Double {
        switch self {
        case let .activity(bound, norm, strength, threshold, scope, layers):
            var total = 0.0
            for k in layers ?? network.layers.indices.filter({ network.layers[$0].neuron.isSpiking }) {
                var counts = [Float](repeating: 0, count: workspace.batch * network.layers[k].size)
                counts.withUnsafeMutableBufferPointer { workspace.accumulateSpikeCounts(ofLayer: k, into: $0) }
                let (value, countGradient) = Self.activityPenalty(bound: bound, norm: norm, strength: strength, threshold: threshold,
                                                                  scope: scope, counts: counts, batch: workspace.batch,
                                                                  units: network.layers[k].size, channels: network.layers[k].shape.channels)
                total += value
                if computesGradients { countGradient.withUnsafeBufferPointer { workspace.addSpikeCountGradient(ofLayer: k, $0) } }
            }
            return total
        case let .weightL1(strength), let .weightL2(strength):
            var total = 0.0
            for (i, id) in network.parameterIDs.enumerated() where id.kind == .weights {
                let w = network[id]
                let scale = strength / Double(w.count)
                var sum = 0.0
                for (e, v) in w.scalars.enumerated() {
                    let x = Double(v)
                    let g: Double
                    if case .weightL1 = self {
                        sum += abs(x)
                        g = scale * (x > 0 ? 1 : (x < 0 ? -1 : 0))
                    } else {
                        sum += x * x
                        g = scale * 2 * x
                    }
                    if computesGradients { gradients.tensors[i].scalars[e] += Float(g) }
                }
                total += scale * sum
            }
            return total
        }
    }

    /// The activity penalty of spike counts `[B, N]` (channels-last units), adding its gradient to every step's slice of
    /// `gradient` (`[T, B, N]`) when given; the building block of ``apply(network:workspace:gradients:computesGradients:)``.
    public static func activityPenalty(bound: ActivityBound, norm: PenaltyNorm, strength: Double, threshold: Double, scope: ActivityScope,
                                counts: [Float], steps: Int, batch: Int, units: Int, channels: Int,
                                gradient: UnsafeMutableBufferPointer<Float>?) -> Double {
        let (value, countGradient) = activityPenalty(bound: bound, norm: norm, strength: strength, threshold: threshold, scope: scope,
                                                     counts: counts, batch: batch, units: units, channels: channels)
        // ∂cnt/∂S[t] = 1 for every step: add the count gradient to every step's slice.
        if let gradient {
            let width = batch * units
            countGradient.withUnsafeBufferPointer { g in
                for t in 0..<steps { addRow(g.baseAddress!, into: gradient.baseAddress! + t * width, count: width) }
            }
        }
        return value
    }

    /// The activity penalty of spike counts `[B, N]` and its gradient `∂penalty/∂cnt` (`[B, N]`).
    static func activityPenalty(bound: ActivityBound, norm: PenaltyNorm, strength: Double, threshold: Double, scope: ActivityScope,
                                counts: [Float], batch: Int, units: Int, channels: Int) -> (value: Double, countGradient: [Float]) {
        let width = batch * units
        // value and derivative of norm(bound(c − θ))
        func penalty(_ c: Double) -> (Double, Double) {
            let d = c - threshold
            let v: Double, dv: Double
            switch bound {
            case .upper: (v, dv) = d > 0 ? (d, 1) : (0, 0)
            case .lower: (v, dv) = d < 0 ? (-d, -1) : (0, 0)
            case .twoSided: (v, dv) = (d, 1)
            }
            switch norm {
            case .l2: return (v * v, 2 * v * dv)
            case .l1: return (abs(v), (v > 0 ? 1 : (v < 0 ? -1 : 0)) * dv)
            }
        }
        // Units u = position · C + channel (channels-last) fall into groups whose mean count is penalized.
        let groups: Int, group: (Int) -> Int
        switch scope {
        case .neuron: (groups, group) = (units, { $0 })
        case .population: (groups, group) = (1, { _ in 0 })
        case .channel: (groups, group) = (channels, { $0 % channels })
        case .position: (groups, group) = (units / channels, { $0 / channels })
        }
        let groupSize = Double(units / groups)
        var total = 0.0
        var countGradient = [Float](repeating: 0, count: width)
        var means = [Double](repeating: 0, count: groups), slopes = [Float](repeating: 0, count: groups)
        for b in 0..<batch {
            means.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            for j in 0..<units { means[group(j)] += Double(counts[b * units + j]) }
            for g in 0..<groups {
                let (v, d) = penalty(means[g] / groupSize)
                total += v / Double(batch * groups)
                slopes[g] = Float(strength * d / (Double(batch * groups) * groupSize))
            }
            for j in 0..<units { countGradient[b * units + j] = slopes[group(j)] }
        }
        return (strength * total, countGradient)
    }
}
