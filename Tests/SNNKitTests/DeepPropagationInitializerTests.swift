import Foundation
import SNNKit
import Testing

/// Micheli et al. (2024), SPEC §4: n·Var[W] = 1/(1 − Φ(θ)) and its finite-width variant.
@Suite("Deep-propagation initialization (Micheli et al. 2024)")
struct DeepPropagationInitializerTests {
    @Test("n·Var[W] = 1/(1 − Φ(θ)) is 6.3030 at θ = 1 and 2 at θ = 0 (Kaiming)")
    func goldenValues() {
        #expect(String(format: "%.4f", DeepPropagationInitializer.fanInVariance(threshold: 1)) == "6.3030")
        #expect(relativeError(DeepPropagationInitializer.fanInVariance(threshold: 1), 6.302974375068753) < 1e-13)
        #expect(DeepPropagationInitializer.fanInVariance(threshold: 0) == 2)
        let d = DeepPropagationInitializer()
        #expect(relativeError(d.tailFraction, 0.15865525393145707) < 1e-14)
        #expect(relativeError(d.weightStandardDeviation(fanIn: 1000), (6.302974375068753 / 1000).squareRoot()) < 1e-13)
        #expect(relativeError(DeepPropagationInitializer(threshold: 0).weightStandardDeviation(fanIn: 50), (2.0 / 50).squareRoot()) < 1e-15)
    }

    @Test("Finite width: the Wilson 95 % lower bound gives n·Var[W] = 9.2876 at n = 100, 7.1136 at n = 1000, → 6.3030")
    func finiteWidth() {
        let d = DeepPropagationInitializer(threshold: 1, finiteWidth: .wilson95)
        #expect(relativeError(d.fanInVariance(fanIn: 100), 9.287577585957463) < 1e-9)
        #expect(relativeError(d.fanInVariance(fanIn: 1000), 7.1136019595288875) < 1e-9)
        #expect(relativeError(d.fanInVariance(fanIn: 1e9), 6.302974375068753) < 1e-3)
        // Higher confidence, larger variance; monotone in the width.
        let strict = DeepPropagationInitializer(threshold: 1, finiteWidth: .wilsonLowerBound(confidence: 0.99))
        #expect(strict.fanInVariance(fanIn: 100) > d.fanInVariance(fanIn: 100))
        #expect(d.fanInVariance(fanIn: 100) > d.fanInVariance(fanIn: 200))
    }

    @Test("initialize: dense and conv projections get zero-mean Gaussian weights with n·Var[W] = 6.3030 (conv n = C_in·k)")
    func networkWeights() throws {
        var rng = Xoshiro256StarStar(seed: 3)
        var net = try SpikingNetwork(inputs: 400, inputShape: ActivityShape(channels: 4, spatial: [100]), timeStep: .milliseconds(1)) {
            ConvolutionalLIFLayer(channels: 32, kernel: [9], stride: [2])
            LIFLayer(120)
            LeakyReadout(5, tauMembrane: .milliseconds(100))
        }
        let report = try net.initialize(.deepPropagation(threshold: 1), rates: .fixed(hertz: 10), using: &rng)
        #expect(report.description.contains("6.3030"))
        for (layer, fanIn) in [(0, 4 * 9), (1, net.layers[1].afferents[0].fanIn), (2, 120)] {
            let w = net[ParameterID(layer: layer, afferent: 0, kind: .weights)].scalars.map(Double.init)
            let mean = w.reduce(0, +) / Double(w.count)
            let variance = w.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(w.count - 1)
            #expect(net.layers[layer].afferents[0].fanIn == fanIn)
            #expect(abs(mean) < 4 * (variance / Double(w.count)).squareRoot())
            #expect(abs(Double(fanIn) * variance - 6.3030) < 6.3030 * 5 * (2 / Double(w.count)).squareRoot(), "layer \(layer)")
        }
        // θ = 0 is Kaiming's rule, draw for draw.
        var a = net, b = net
        var r1 = Xoshiro256StarStar(seed: 9), r2 = Xoshiro256StarStar(seed: 9)
        try a.initialize(.deepPropagation(threshold: 0), rates: .fixed(hertz: 10), using: &r1)
        try b.initialize(.kaimingNormal, rates: .fixed(hertz: 10), using: &r2)
        for layer in 0..<3 {
            let wa = a[ParameterID(layer: layer, afferent: 0, kind: .weights)].scalars
            let wb = b[ParameterID(layer: layer, afferent: 0, kind: .weights)].scalars
            #expect(zip(wa, wb).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) })
        }
        #expect(throws: ConfigurationError.self) {
            try a.initialize(.deepPropagation(threshold: 1, finiteWidth: .wilsonLowerBound(confidence: 1)), rates: .fixed(hertz: 10), using: &r1)
        }
    }
}

/// Perez-Nieves & Goodman (2023): initialization for a target rate through the Siegert prediction.
@Suite("Target-rate initialization and predicted rates in the report")
struct TargetRateInitializationTests {
    @Test("targetRate solves σ_U per layer, draws the centered fluctuation-driven weights for it, and reports predicted rates")
    func targetRate() throws {
        var rng = Xoshiro256StarStar(seed: 4)
        let steps = 250, inputs = 200
        // 16 samples of Bernoulli(0.02) spikes per step and channel: 10 Hz at Δt 2 ms.
        var offsets = [0], times: [Int32] = [], channels: [Int32] = []
        var events = Xoshiro256StarStar(seed: 8)
        for _ in 0..<16 {
            for t in 0..<steps { for c in 0..<inputs where events.nextUniform() < 0.02 { times.append(Int32(t)); channels.append(Int32(c)) } }
            offsets.append(times.count)
        }
        let data = try SpikeDataset(channels: inputs, steps: steps, timeStep: .milliseconds(2), classes: 1, eventOffsets: offsets,
                                    eventSteps: times, eventChannels: channels, labels: [Int](repeating: 0, count: 16))
        var net = try SpikingNetwork(inputs: inputs, timeStep: .milliseconds(2)) {
            LIFLayer(100)
            LeakyReadout(2, tauMembrane: .milliseconds(200))
        }
        let report = try net.initialize(.targetRate(hertz: 5), rates: .measured(on: data, samples: 16), using: &rng)
        let predictor = LIFRatePredictor(timeStep: .milliseconds(2))
        // σ_U solves "population rate = 5 Hz" with the neurons' means spread by s = σ_U·ε̄·√(ν/ε̂) (Campbell).
        let kernel = PSPKernelIntegrals.numerical(tauMembrane: 0.02, tauSynapse: 0.01, timeStep: 0.002)
        let spread = kernel.mean * (report.inputRateHz / kernel.meanSquare).squareRoot()
        let sigmaU = try predictor.sigmaU(forHertz: 5, spreadPerSigmaU: spread)
        #expect(relativeError(predictor.hertz(meanU: 0, sigmaU: sigmaU, meanSpread: spread * sigmaU), 5) < 1e-7)
        let hidden = report.populations[0]
        #expect(relativeError(hidden.targetSigmaU!, sigmaU) < 1e-9)
        #expect(hidden.targetMuU == 0)
        #expect(report.populations[1].targetSigmaU == 1)
        // Weights: σ_W² = σ_U²/(n ν ε̂) with the measured input rate.
        let expected = sigmaU / (Double(inputs) * report.inputRateHz * kernel.meanSquare).squareRoot()
        #expect(relativeError(report.projections[0].sigmaW, expected) < 1e-9)
        // The report predicts from the measured free membrane; the prediction and the measurement are both there.
        let predicted = try #require(hidden.predictedRateHz), measured = try #require(hidden.measuredRateHz)
        #expect(relativeError(predicted, predictor.hertz(meanU: hidden.measuredMuU!, sigmaU: hidden.measuredSigmaU!,
                                                         meanSpread: hidden.measuredMeanSpread!)) < 1e-12)
        // Measured on 16 samples of 0.5 s: 5.38 Hz for the 5 Hz target, predicted 4.61 Hz from the measured statistics.
        #expect(abs(measured / 5 - 1) < 0.3, "measured \(measured) Hz for a 5 Hz target")
        #expect(abs(predicted / measured - 1) < 0.3, "predicted \(predicted) Hz, measured \(measured) Hz")
        // Ignoring the spread of the means asks for a larger σ_U (a single neuron at μ_U = 0 must reach 5 Hz alone).
        var plain = net
        var rng2 = Xoshiro256StarStar(seed: 4)
        let ignored = try plain.initialize(.targetRate(hertz: 5, meanSpread: .ignored), rates: .measured(on: data, samples: 16), using: &rng2)
        #expect(relativeError(ignored.populations[0].targetSigmaU!, try predictor.sigmaU(forHertz: 5)) < 1e-9)
        #expect(ignored.populations[0].targetSigmaU! > 1.1 * sigmaU)
        #expect(report.populations[1].predictedRateHz == nil)
        #expect(report.description.contains("predicted"))
        #expect((report.jsonObject["populations"] as? [[String: Any]])?.first?["predicted_rate_hz"] as? Double == predicted)
    }

    @Test("Without a measurement the prediction comes from Campbell's theorem for the drawn weights (σ_U and the spread of means)")
    func predictionFromTarget() throws {
        var rng = Xoshiro256StarStar(seed: 4)
        var net = try SpikingNetwork(inputs: 100, timeStep: .milliseconds(2)) { LIFLayer(50); LeakyReadout(2, tauMembrane: .milliseconds(200)) }
        let report = try net.initialize(.fluctuationDriven(sigmaU: 1), rates: .fixed(hertz: 10), using: &rng)
        let predictor = LIFRatePredictor(timeStep: .milliseconds(2))
        // Campbell: μ_U = 0, σ_U = 1 (the target), and the neurons' means spread by s = σ_W·√n·ν·ε̄.
        let p = report.projections[0]
        let spread = p.sigmaW * Double(p.fanIn).squareRoot() * p.nuHz * p.epsilonBar
        #expect(relativeError(report.populations[0].predictedRateHz!, predictor.hertz(meanU: 0, sigmaU: 1, meanSpread: spread)) < 1e-9)
        #expect(report.populations[1].predictedRateHz == nil)
        // Any method gets a prediction from its drawn weights: Kaiming's σ_U = σ_W·√(n ν ε̂).
        let kaiming = try net.initialize(.kaimingNormal, rates: .fixed(hertz: 10), using: &rng)
        let k = kaiming.projections[0]
        let sigmaU = k.sigmaW * (Double(k.fanIn) * k.nuHz * k.epsilonHat).squareRoot()
        let kSpread = k.sigmaW * Double(k.fanIn).squareRoot() * k.nuHz * k.epsilonBar
        #expect(relativeError(kaiming.populations[0].predictedRateHz!, predictor.hertz(meanU: 0, sigmaU: sigmaU, meanSpread: kSpread)) < 1e-9)
        #expect(throws: ConfigurationError.self) { try net.initialize(.targetRate(hertz: -1), rates: .fixed(hertz: 10), using: &rng) }
    }
}
