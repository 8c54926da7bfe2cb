import SNNKit
import SNNTestSupport
import Testing

/// Backward pass vs finite differences of the smooth-surrogate network with replayed detached resets (DESIGN.md).
///
/// The networks use moderately steep surrogates: the antiderivatives of steep ones (SuperSpike β 20) curve so much
/// within a Float32-resolvable finite-difference step that central differences carry several % truncation error
/// (measured: 44 % / 3.8 % / 0.28 % at ε = 1e-2 / 1e-3 / 1e-4 — converging to the backward pass). The backward code
/// is the same for every β; the steep default parameters are checked formula by formula in `SurrogateTests`.
@Suite("Gradient checks")
struct GradientCheckTests {
    static let dt = Duration.milliseconds(1)

    static func network(surrogate: Surrogate = .superSpike(beta: 2), recurrent: Bool = false, reset: ResetGradient = .detached,
                        hidden: Int = 1, bias: Bool = false) throws -> SpikingNetwork {
        var net = try SpikingNetwork(inputs: 8, timeStep: dt) {
            for _ in 0..<hidden {
                LIFLayer(6, isRecurrent: recurrent, surrogate: surrogate, resetGradient: reset, hasBias: bias)
            }
            LeakyReadout(3, tauMembrane: .milliseconds(30), initialState: -1, hasBias: bias)
        }
        var rng = Xoshiro256StarStar(seed: 3)
        try net.initialize(.fluctuationDriven(sigmaU: 1.5), rates: .fixed(hertz: 200), using: &rng)
        // give biases non-zero values so their gradients are exercised
        for id in net.parameterIDs where id.kind == .bias {
            net[id].scalars = (0..<net[id].count).map { _ in Float(0.1 * rng.nextStandardNormal()) }
        }
        return net
    }

    static let input = bernoulliInput(steps: 40, batch: 3, channels: 8, probability: 0.2, seed: 11)
    static let labels = [0, 2, 1]

    static func expectPasses(_ net: SpikingNetwork, loss: Loss = .sumOverTimeCrossEntropy, regularizers: [Regularizer] = [],
                             tolerance: Double = 1e-2, dropoutSeed: UInt64? = nil, input: Tensor = input) throws {
        let results = try GradientCheck().run(network: net, input: input, labels: labels, loss: loss, regularizers: regularizers,
                                              dropoutSeed: dropoutSeed)
        #expect(!results.isEmpty)
        // the network must actually be active, else the check is vacuous
        #expect(results.contains { abs($0.analytic) > 1e-4 })
        for r in results { #expect(r.relativeError < tolerance, "\(r)") }
    }

    static let surrogates: [Surrogate] = [
        .superSpike(beta: 2), .sigmoid(beta: 4), .exponential(p0: 0.1, deltaU: 0.5), .fastSigmoid(slope: 3),
        .arcTangent(alpha: 1), .triangle(beta: 0.3),
    ]

    @Test("LIF feed-forward + readout, every surrogate", arguments: surrogates)
    func feedForward(surrogate: Surrogate) throws {
        try Self.expectPasses(Self.network(surrogate: surrogate))
    }

    @Test("Recurrent LIF", arguments: surrogates)
    func recurrent(surrogate: Surrogate) throws {
        try Self.expectPasses(Self.network(surrogate: surrogate, recurrent: true))
    }

    @Test("Differentiated reset, feed-forward and recurrent", arguments: [false, true])
    func differentiatedReset(recurrent: Bool) throws {
        try Self.expectPasses(Self.network(recurrent: recurrent, reset: .differentiated))
    }

    @Test("Two recurrent hidden layers with biases")
    func deepWithBias() throws {
        try Self.expectPasses(Self.network(surrogate: .sigmoid(beta: 4), recurrent: true, hidden: 2, bias: true))
    }

    @Test("Every loss", arguments: Loss.allCases)
    func everyLoss(loss: Loss) throws {
        try Self.expectPasses(Self.network(recurrent: true), loss: loss)
    }

    @Test("Every regularizer", arguments: [
        Regularizer.lowerBound(strength: 100, threshold: 1e-3, per: .neuron),
        .lowerBound(strength: 1, threshold: 3, per: .population, norm: .l1),
        .upperBound(strength: 0.1, threshold: 0.01, per: .population),
        .upperBound(strength: 0.1, threshold: 0.01, per: .neuron, norm: .l1),
        .twoSided(strength: 0.5, threshold: 0.05, per: .neuron),
        .twoSided(strength: 0.5, threshold: 0.05, per: .population, norm: .l1),
        .weightL1(strength: 0.3), .weightL2(strength: 0.3),
    ])
    func everyRegularizer(regularizer: Regularizer) throws {
        try Self.expectPasses(Self.network(recurrent: true, hidden: 2), regularizers: [regularizer])
    }

    @Test("The check discriminates: backward of SuperSpike β 2 vs finite differences of β 4 disagree")
    func checkCanFail() throws {
        // Same weights (initialization does not depend on the surrogate), different surrogate.
        let a = try GradientCheck().run(network: Self.network(surrogate: .superSpike(beta: 2)), input: Self.input,
                                        labels: Self.labels, loss: .maxOverTimeCrossEntropy)
        let b = try GradientCheck().run(network: Self.network(surrogate: .superSpike(beta: 4)), input: Self.input,
                                        labels: Self.labels, loss: .maxOverTimeCrossEntropy)
        let worst = zip(a, b).map { abs($0.analytic - $1.numerical) / max(abs($1.numerical), 1e-6) }.max() ?? 0
        #expect(worst > 0.05)
    }
}
