import Foundation

extension SpikingNetwork {
    /// Draws every projection's weights (biases are set to 0) and reports what was done and what it produced.
    ///
    /// With ``PresynapticRates/measured(on:samples:layerWise:)`` (or
    /// ``PresynapticRates/measuredChannels(hertz:batch:layerWise:)``) the input rate ν is the data's mean rate per channel;
    /// layer by layer, the network initialized so far is simulated on the batch and each hidden layer's measured rate
    /// becomes the ν of the projections it sends. A recurrent projection assumes its layer fires at the rate of the
    /// layer's feed-forward input. A silent source falls back to the input rate (noted in the report).
    ///
    /// - Parameters:
    ///   - method: the initialization rule.
    ///   - rates: where ν comes from.
    ///   - connectionProbability: keep each connection with this probability (fixed sparse mask; fan-in scaled by it).
    /// - Throws: ``ConfigurationError`` for invalid parameters (σ_U ≤ 0, ν ≤ 0, …) before any weight changes.
    @discardableResult
    public mutating func initialize(_ method: WeightInitialization, rates: PresynapticRates, connectionProbability: Double = 1,
                                    using rng: inout some RandomNumberGenerator) throws(ConfigurationError) -> InitializationReport {
        try method.validate()
        guard connectionProbability > 0 && connectionProbability <= 1 else {
            throw .outOfRange(field: "connectionProbability", value: connectionProbability, range: "(0, 1]")
        }
        let inputRate: Double
        var measurement: (data: SpikeDataset, samples: [Int])? = nil   // simulated from events, in bounded batches
        var layerWise = false
        var channelRates: [Double] = []
        switch rates {
        case let .fixed(hertz):
            try ConfigurationError.requirePositive(hertz, "rates.fixed(hertz:)")
            inputRate = hertz
        case let .measured(data, samples, wise):
            try ConfigurationError.requirePositive(samples, "rates.measured(samples:)")
            guard data.channels == inputs else {
                throw .shapeMismatch(what: "initialization data channels", expected: "\(inputs) (network inputs)", found: "\(data.channels)")
            }
            guard data.timeStep == timeStep else {
                throw .shapeMismatch(what: "initialization data time step", expected: "\(timeStep) (network)", found: "\(data.timeStep)")
            }
            try ConfigurationError.requirePositive(data.count, "rates.measured: data set samples")
            channelRates = data.channelRates()
            inputRate = channelRates.reduce(0, +) / Double(channelRates.count)
            guard inputRate > 0 else { throw .nonPositiveParameter(field: "input rate ν measured from the data (Hz)", value: inputRate) }
            measurement = (data, Array(0..<min(samples, data.count)))
            layerWise = wise
        case let .measuredChannels(hertz, data, wise):
            guard hertz.count == inputs else {
                throw .shapeMismatch(what: "initialization channel rates", expected: "\(inputs) (network inputs)", found: "\(hertz.count)")
            }
            if let bad = hertz.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
                throw .outOfRange(field: "rates.measuredChannels(hertz:)[\(bad)]", value: hertz[bad], range: "[0, ∞) Hz, finite")
            }
            guard data.channels == inputs else {
                throw .shapeMismatch(what: "initialization data channels", expected: "\(inputs) (network inputs)", found: "\(data.channels)")
            }
            guard data.timeStep == timeStep else {
                throw .shapeMismatch(what: "initialization data time step", expected: "\(timeStep) (network)", found: "\(data.timeStep)")
            }
            try ConfigurationError.requirePositive(data.count, "rates.measuredChannels: batch samples")
            channelRates = hertz
            inputRate = channelRates.reduce(0, +) / Double(channelRates.count)
            guard inputRate > 0 else { throw .nonPositiveParameter(field: "input rate ν measured from the data (Hz)", value: inputRate) }
            measurement = (data, Array(0..<data.count))
            layerWise = wise
        }

        let workspace = SimulationWorkspace()
        var layerRates = [Double](repeating: inputRate, count: layers.count)
        var rules = [FluctuationDrivenInitializer?](repeating: nil, count: layers.count)
        var projections: [InitializationReport.ProjectionEntry] = []
        for k in layers.indices {
            let layer = layers[k]
            if layer.neuron == .passThrough {   // pooling: no weights; its rate feeds the next layer
                if layerWise, let measurement {
                    layerRates[k] = measuredRate(of: k, on: measurement, in: workspace)
                } else {
                    layerRates[k] = rate(of: layer.afferents[0].source, layerRates, inputRate)
                }
                continue
            }
            let (tauM, tauS) = layer.neuron.timeConstants
            let feedForwardRate: Double = {
                for p in layer.afferents where p.source != .layer(k) { return rate(of: p.source, layerRates, inputRate) }
                return inputRate
            }()
            var notes = [String?](repeating: nil, count: layer.afferents.count)
            let afferents = layer.afferents.enumerated().map { (j, p) -> FluctuationDrivenInitializer.Afferent in
                var nu = p.source == .layer(k) ? feedForwardRate : rate(of: p.source, layerRates, inputRate)
                if nu <= 0 {
                    nu = inputRate
                    notes[j] = "source silent at initialization; used the input rate"
                }
                return .init(fanIn: Double(p.fanIn) * connectionProbability, rate: nu, isRecurrent: p.source == .layer(k))
            }
            let kernel: PSPKernelIntegrals
            if case let .leaky(d) = layer.neuron {
                // Delta synapse: ε[k] = β^k per step, ε̄ = Δt/(1 − β), ε̂ = Δt/(1 − β²).
                let beta = Double(d.beta), dt = timeStep.seconds
                kernel = PSPKernelIntegrals(mean: dt / (1 - beta), meanSquare: dt / (1 - beta * beta))
            } else {
                kernel = PSPKernelIntegrals(tauMembrane: tauM.seconds, tauSynapse: tauS.seconds, timeStep: timeStep.seconds,
                                            integration: method.integration)
            }
            var kernels = [PSPKernelIntegrals](repeating: kernel, count: layer.afferents.count)
            var exponential = false
            let statistics: [(mean: Double, sigma: Double)]
            switch method {
            case .fluctuationDriven, .targetRate:
                let f = try method.fluctuationDrivenRule(for: layer.neuron, timeStep: timeStep, afferents: afferents)!
                rules[k] = f
                if case let .excitatoryInhibitory(d) = layer.neuron {
                    // Dale's law: balanced exponential weights (SPEC §3.3), μ_U = 0 and σ_U of the target.
                    let theta = Double(d.threshold)
                    let dale = DaleInitializer(sigmaU: f.membraneTarget(threshold: theta).sigma, feedForwardShare: f.feedForwardShare,
                                               threshold: theta)
                    let (excitatory, inhibitory) = try DaleInitializer.kernels(tauMembrane: d.tauMembrane, tauExcitatory: d.tauExcitatory,
                                                                               tauInhibitory: d.tauInhibitory, timeStep: timeStep,
                                                                               integration: f.integration)
                    var fanIns = (feedForward: 0.0, recurrent: 0.0, inhibitory: 0.0)
                    for (j, p) in layer.afferents.enumerated() {
                        if p.synapse == .inhibitory { fanIns.inhibitory += afferents[j].fanIn }
                        else if afferents[j].isRecurrent { fanIns.recurrent += afferents[j].fanIn }
                        else { fanIns.feedForward += afferents[j].fanIn }
                    }
                    let lambda = try dale.exponentialRates(feedForwardFanIn: fanIns.feedForward, recurrentFanIn: fanIns.recurrent,
                                                           inhibitoryFanIn: fanIns.inhibitory, hertz: feedForwardRate,
                                                           excitatoryKernel: excitatory, inhibitoryKernel: inhibitory)
                    statistics = layer.afferents.enumerated().map { (j, p) in
                        let l = p.synapse == .inhibitory ? lambda.inhibitory : (afferents[j].isRecurrent ? lambda.recurrent : lambda.feedForward)
                        return (1 / l, 1 / l)
                    }
                    kernels = layer.afferents.map { $0.synapse == .inhibitory ? inhibitory : excitatory }
                    for j in notes.indices where notes[j] == nil {
                        notes[j] = "exponential (Dale), λ = \(String(format: "%.4g", 1 / statistics[j].mean))"
                    }
                    exponential = true
                } else {
                    statistics = try f.weightStatistics(afferents: afferents, kernel: kernel, threshold: Double(layer.neuron.threshold))
                }
            case let .kaimingNormal(gain):
                statistics = layer.afferents.map { (0, gain / Double($0.fanIn).squareRoot()) }
            case let .deepPropagation(d):
                statistics = afferents.map { (0, d.weightStandardDeviation(fanIn: $0.fanIn)) }
            case let .scaled(distribution, scaling, gain):
                statistics = layer.afferents.map { p in
                    let s = scaling.scale(fanIn: p.fanIn, gain: gain)
                    return (0, distribution == .uniform ? s / 3.0.squareRoot() : s)
                }
            }
            for (j, stat) in statistics.enumerated() {
                var p = layers[k].afferents[j]
                switch method {
                case let .scaled(distribution, scaling, gain):
                    p.weights.scalars = distribution.sample(count: p.weights.count, mean: 0, scale: scaling.scale(fanIn: p.fanIn, gain: gain), using: &rng)
                default:
                    p.weights.scalars = exponential
                        ? DaleInitializer.sampleExponential(count: p.weights.count, rate: 1 / stat.mean, using: &rng)
                        : WeightDistribution.normal.sample(count: p.weights.count, mean: stat.mean, scale: stat.sigma, using: &rng)
                }
                if connectionProbability < 1 {
                    var mask = Tensor(shape: p.weights.shape)
                    for e in 0..<mask.count where rng.nextUniform() < connectionProbability { mask.scalars[e] = 1 }
                    p.mask = mask
                } else {
                    p.mask = nil
                }
                if p.bias != nil { p.bias!.fill(with: 0) }
                p.applyConstraints()
                layers[k].afferents[j] = p
                projections.append(.init(layer: k, layerName: layer.name, afferent: j, source: Self.describe(p.source, layers),
                                         fanIn: p.fanIn, nuHz: afferents[j].rate, muW: stat.mean, sigmaW: stat.sigma,
                                         epsilonBar: kernels[j].mean, epsilonHat: kernels[j].meanSquare, note: notes[j]))
            }
            if layerWise, let measurement, layer.neuron.isSpiking {
                layerRates[k] = measuredRate(of: k, on: measurement, in: workspace)
            }
        }

        let measured = try measurement.map { m throws(ConfigurationError) in try measureActivity(on: m.data, samples: m.samples, workspace: workspace) }
        let populations = layers.indices.map { k in
            let neuron = layers[k].neuron
            let target = rules[k]?.membraneTarget(threshold: Double(neuron.threshold))
            // The free membrane's statistics: measured when a batch was simulated, else Campbell's theorem for the
            // weights just drawn (ν as used above; Poisson inputs assumed).
            let statistics = measured.map {
                FreeMembraneStatistics(mean: $0[k].membraneMean, standardDeviation: $0[k].membraneStandardDeviation,
                                       meanSpread: $0[k].membraneMeanSpread)
            } ?? FreeMembraneStatistics.campbell(projections.filter { $0.layer == k }.map { p in
                FreeMembraneStatistics.Afferent(fanIn: Double(p.fanIn) * connectionProbability, rate: p.nuHz, weightMean: p.muW,
                                                weightStandardDeviation: p.sigmaW,
                                                kernel: PSPKernelIntegrals(mean: p.epsilonBar, meanSquare: p.epsilonHat),
                                                isInhibitory: layers[k].afferents[p.afferent].synapse == .inhibitory)
            })
            // The diffusion-approximation rate (Perez-Nieves & Goodman 2023), averaged over the spread of neuron means.
            let predictor = LIFRatePredictor(neuron: neuron, timeStep: timeStep, integration: method.integration)
            let predicted = predictor?.hertz(meanU: statistics.mean, sigmaU: statistics.standardDeviation, meanSpread: statistics.meanSpread)
            return InitializationReport.PopulationEntry(
                layer: k, name: layers[k].name, size: layers[k].size, isSpiking: neuron.isSpiking,
                targetMuU: target?.mean, targetSigmaU: target?.sigma,
                measuredMuU: measured?[k].membraneMean, measuredSigmaU: measured?[k].membraneStandardDeviation,
                measuredMeanSpread: measured?[k].membraneMeanSpread,
                measuredRateHz: measured.map { $0[k].rateHz }, predictedRateHz: predicted, burnInSteps: measured?[k].burnInSteps)
        }
        return InitializationReport(method: method, inputRateHz: inputRate,
                                    channelRateRangeHz: channelRates.isEmpty ? nil : [channelRates.min()!, channelRates.max()!],
                                    samplesMeasured: measurement?.samples.count, projections: projections, populations: populations)
    }

    /// The mean rate (Hz) of the units of layer `k` that later layers read (E units of a Dalian layer), simulated on
    /// the measurement samples in bounded batches (``measurementBatches(_:steps:)``).
    private func measuredRate(of k: Int, on measurement: (data: SpikeDataset, samples: [Int]), in workspace: SimulationWorkspace) -> Double {
        let n = layers[k].size, units = layers[k].outputUnits ?? 0..<n, steps = measurement.data.steps
        var total = 0.0
        for batch in measurementBatches(measurement.samples, steps: steps) {
            workspace.prepare(for: self, steps: steps, batch: batch.count)
            workspace.setInput(from: measurement.data, samples: batch)
            workspace.forward(self)
            let out = workspace.output(ofLayer: k)
            for row in 0..<(steps * batch.count) {
                for u in units { total += Double(out[row * n + u]) }
            }
        }
        return total / (Double(steps * measurement.samples.count * units.count) * timeStep.seconds)
    }

    private func rate(of source: LayerSource, _ layerRates: [Double], _ inputRate: Double) -> Double {
        switch source {
        case .input: return inputRate
        case let .layer(s): return layerRates[s]
        }
    }

    static func describe(_ source: LayerSource, _ layers: [Layer]) -> String {
        switch source {
        case .input: return "input"
        case let .layer(s): return layers[s].name
        }
    }
}

extension WeightInitialization {
    var integration: KernelIntegration {
        switch self {
        case let .fluctuationDriven(f): return f.integration
        case let .targetRate(t): return t.integration
        default: return .numerical
        }
    }

    /// The fluctuation-driven rule a layer of this neuron model with these afferents is initialized with: the rule
    /// itself, or the centered rule for the σ_U of a target rate; nil for the other methods.
    func fluctuationDrivenRule(for neuron: NeuronModel, timeStep: Duration,
                               afferents: [FluctuationDrivenInitializer.Afferent]) throws(ConfigurationError) -> FluctuationDrivenInitializer? {
        switch self {
        case let .fluctuationDriven(f): return f
        case let .targetRate(t): return try t.fluctuationDriven(for: neuron, timeStep: timeStep, afferents: afferents)
        default: return nil
        }
    }
}
