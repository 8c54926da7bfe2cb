import SNNKit
import SNNTestSupport
import Testing

/// Escape-noise (stochastic) LIF neurons of paper 4 (SPEC §1.5).
@Suite("Stochastic neurons")
struct StochasticNeuronTests {
    static func network(_ noise: EscapeNoise, recurrent: Bool = false) throws -> SpikingNetwork {
        var net = try SpikingNetwork(inputs: 8, timeStep: .milliseconds(1)) {
            LIFLayer(40, isRecurrent: recurrent, escapeNoise: noise)
            LeakyReadout(3, tauMembrane: .milliseconds(30), initialState: -1)
        }
        var rng = Xoshiro256StarStar(seed: 3)
        try net.initialize(.fluctuationDriven(sigmaU: 1.3), rates: .fixed(hertz: 200), using: &rng)
        return net
    }

    static let input = bernoulliInput(steps: 200, batch: 4, channels: 8, probability: 0.2, seed: 9)

    @Test("Spikes are Bernoulli(f(U − θ)): the count matches Σ f(U[t−1] − θ) within 5 standard deviations",
          arguments: [EscapeNoise.sigmoid(beta: 3), .exponential(p0: 0.05, deltaU: 0.4)])
    func bernoulli(noise: EscapeNoise) throws {
        let net = try Self.network(noise)
        let ws = SimulationWorkspace()
        try ws.forward(net, input: Self.input, options: ForwardOptions(noiseSeed: 1))
        let s = ws.output(ofLayer: 0), u = ws.membrane(ofLayer: 0)
        let slice = 4 * 40
        var count = 0.0, expected = 0.0, variance = 0.0
        for t in 1..<200 {
            for e in 0..<slice {
                let p = Double(noise.probability(u[(t - 1) * slice + e] - 1))
                count += Double(s[t * slice + e]); expected += p; variance += p * (1 - p)
            }
        }
        #expect(count > 100)
        #expect(abs(count - expected) < 5 * variance.squareRoot(), "count \(count), expected \(expected) ± \(variance.squareRoot())")
    }

    @Test("Seeded: the same noise seed gives identical spikes, another seed different ones; deterministic limit at β → ∞")
    func reproducible() throws {
        let net = try Self.network(.sigmoid(beta: 10))
        let ws = SimulationWorkspace()
        func spikes(_ seed: UInt64?, _ network: SpikingNetwork) throws -> [Float] {
            try ws.forward(network, input: Self.input, options: ForwardOptions(noiseSeed: seed))
            return Array(ws.output(ofLayer: 0))
        }
        #expect(try spikes(5, net) == spikes(5, net))
        #expect(try spikes(5, net) != spikes(6, net))
        // β = 10⁶: f is a step, so the stochastic neuron equals the deterministic one.
        func with(_ dynamics: LIFDynamics) throws -> SpikingNetwork {
            var layers = net.layers
            layers[0].neuron = .lif(dynamics)
            return try SpikingNetwork(inputs: net.inputs, timeStep: net.timeStep, layers: layers)
        }
        #expect(try spikes(5, with(LIFDynamics(escapeNoise: .sigmoid(beta: 1e6)))) == spikes(nil, with(LIFDynamics())))
    }

    @Test("The backward pass is the gradient of the mean-field network (spike = f): finite differences, recurrent too",
          arguments: [false, true])
    func gradient(recurrent: Bool) throws {
        let net = try Self.network(.sigmoid(beta: 2), recurrent: recurrent)
        try GradientCheckTests.expectPasses(net, input: bernoulliInput(steps: 40, batch: 3, channels: 8, probability: 0.2, seed: 11))
    }

    @Test("One neuron, one step: the surrogate gradient f′(wx − θ)·x equals the Monte-Carlo derivative of E[S] (common random numbers)")
    func monteCarloDerivative() {
        let noise = EscapeNoise.sigmoid(beta: 4)
        let x: Float = 0.8, w: Float = 1.1, h: Float = 0.02
        var rng = Xoshiro256StarStar(seed: 21)
        let samples = 400_000
        var difference = 0.0
        for _ in 0..<samples {
            let eta = noise.thresholdOffset(uniform: rng.nextUniform())
            let plus: Float = (w + h) * x - 1 > eta ? 1 : 0, minus: Float = (w - h) * x - 1 > eta ? 1 : 0
            difference += Double(plus - minus)
        }
        let monteCarlo = difference / Double(samples) / Double(2 * h)
        let surrogate = Double(noise.surrogate.derivative(w * x - 1) * x)
        // The estimator is a difference of Bernoulli indicators: std ≤ √(p/n)/(2h) with p = P(plus ≠ minus).
        let p = Double(noise.probability((w + h) * x - 1) - noise.probability((w - h) * x - 1))
        #expect(abs(monteCarlo - surrogate) < 5 * (p / Double(samples)).squareRoot() / Double(2 * h) + 2e-3 * abs(surrogate))
    }
}

extension StochasticNeuronTests {
    @Test("Trial variability: Fano factor 0 for deterministic neurons, positive for stochastic ones (measured 0.085: regular, sub-Poisson firing); formula check")
    func trialVariability() throws {
        let counts: [[Double]] = [[1, 0, 4], [3, 0, 4], [2, 0, 4]]   // unit 0: mean 2, var 1; unit 1 silent; unit 2: var 0
        let fano = TrialVariability.fanoFactor(counts)
        #expect(fano == 0.25)
        let input = bernoulliInput(steps: 100, batch: 4, channels: 8, probability: 0.2, seed: 2)
        let stochastic = try Self.network(.sigmoid(beta: 10)).measureTrialVariability(on: input, trials: 8)
        #expect(stochastic.fanoFactors[0] > 0.02 && stochastic.meanCounts[0] > 0.5, "\(stochastic)")
        #expect(stochastic.readoutStandardDeviation > 0)
        var deterministic = try SpikingNetwork(inputs: 8, timeStep: .milliseconds(1)) {
            LIFLayer(40)
            LeakyReadout(3, tauMembrane: .milliseconds(30), initialState: -1)
        }
        var rng = Xoshiro256StarStar(seed: 3)
        try deterministic.initialize(.fluctuationDriven(sigmaU: 1.3), rates: .fixed(hertz: 200), using: &rng)
        let fixed = try deterministic.measureTrialVariability(on: input, trials: 4)
        #expect(fixed.fanoFactors[0] == 0 && fixed.readoutStandardDeviation == 0)
    }
}
