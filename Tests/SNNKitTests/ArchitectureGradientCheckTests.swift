import SNNKit
import SNNTestSupport
import Testing

/// Gradient checks (smooth surrogate + replayed detached resets, see `GradientCheckTests`) for the architectures
/// beyond the plain LIF stack: adaptive and E/I neurons, Dalian layers, skip connections, convolutions and pooling.
@Suite("Gradient checks: architectures")
struct ArchitectureGradientCheckTests {
    static let surrogate = Surrogate.superSpike(beta: 2)

    static func initialized(_ net: SpikingNetwork, sigmaU: Double = 1.5) throws -> SpikingNetwork {
        var net = net
        var rng = Xoshiro256StarStar(seed: 3)
        try net.initialize(.fluctuationDriven(sigmaU: sigmaU), rates: .fixed(hertz: 200), using: &rng)
        return net
    }

    @Test("Adaptive LIF (feed-forward, recurrent, differentiated reset)", arguments: [(false, ResetGradient.detached), (true, .detached), (true, .differentiated)])
    func adaptive(recurrent: Bool, reset: ResetGradient) throws {
        let net = try Self.initialized(SpikingNetwork(inputs: 8, timeStep: GradientCheckTests.dt) {
            LIFLayer(6, isRecurrent: recurrent, surrogate: Self.surrogate, resetGradient: reset,
                     adaptation: (tau: .milliseconds(30), strength: 0.5))
            LeakyReadout(3, tauMembrane: .milliseconds(30), initialState: -1)
        })
        guard case .adaptiveLIF = net.layers[0].neuron else { Issue.record("not adaptive"); return }
        try GradientCheckTests.expectPasses(net)
    }

    @Test("Dalian E/I layer (with and without recurrent excitation, differentiated reset) and readout from E units",
          arguments: [(true, ResetGradient.detached), (false, .detached), (true, .differentiated)])
    func dalian(recurrentExcitation: Bool, reset: ResetGradient) throws {
        let dynamics = ExcitatoryInhibitoryDynamics(tauExcitatory: .milliseconds(5), tauInhibitory: .milliseconds(8),
                                                    surrogate: Self.surrogate, resetGradient: reset)
        let net = try Self.initialized(SpikingNetwork(inputs: 8, timeStep: GradientCheckTests.dt) {
            DalianLayer(excitatory: 6, inhibitory: 3, dynamics: dynamics, hasRecurrentExcitation: recurrentExcitation)
            DalianLayer(excitatory: 5, inhibitory: 2, dynamics: dynamics)
            LeakyReadout(3, tauMembrane: .milliseconds(30), initialState: -1)
        })
        #expect(net.layers[2].afferents[0].sourceUnits == 0..<5)
        #expect(net.layers[1].afferents[0].sourceUnits == 0..<6)
        try GradientCheckTests.expectPasses(net)
    }

    @Test("Skip connections: a hidden layer fed by the previous layer and by the input")
    func skip() throws {
        let net = try Self.initialized(SpikingNetwork(inputs: 8, timeStep: GradientCheckTests.dt) {
            LIFLayer(6, isRecurrent: true, surrogate: Self.surrogate)
            LIFLayer(5, surrogate: Self.surrogate, skipSources: [.input])
            LeakyReadout(3, tauMembrane: .milliseconds(30), initialState: -1)
        })
        #expect(net.layers[1].afferents.map(\.source) == [.layer(0), .input])
        try GradientCheckTests.expectPasses(net)
    }
}

extension ArchitectureGradientCheckTests {
    @Test("Learned and heterogeneous time constants (LIF, adaptive, recurrent, differentiated reset)",
          arguments: [(false, false, ResetGradient.detached), (true, true, .detached), (true, false, .differentiated)])
    func learnedTimeConstants(recurrent: Bool, adaptive: Bool, reset: ResetGradient) throws {
        let net = try Self.initialized(SpikingNetwork(inputs: 8, timeStep: GradientCheckTests.dt) {
            LIFLayer(6, isRecurrent: recurrent, surrogate: Self.surrogate, resetGradient: reset,
                     adaptation: adaptive ? (tau: .milliseconds(30), strength: 0.5) : nil,
                     learnsTimeConstants: true, timeConstantSpread: 0.3)
            LeakyReadout(3, tauMembrane: .milliseconds(30), initialState: -1)
        })
        #expect(net.parameterIDs.contains(ParameterID(layer: 0, afferent: 0, kind: .timeConstants)))
        let taus = net.layers[0].timeConstants!.effective(row: 0, base: .milliseconds(20))
        #expect(Set(taus).count == 6)   // heterogeneous
        try GradientCheckTests.expectPasses(net)
    }
}

extension ArchitectureGradientCheckTests {
    @Test("Dropout on transmitted spikes (fixed mask; recurrent, adaptive, differentiated reset)",
          arguments: [(true, false, ResetGradient.detached), (true, true, .differentiated), (false, false, .detached)])
    func dropout(recurrent: Bool, adaptive: Bool, reset: ResetGradient) throws {
        let net = try Self.initialized(SpikingNetwork(inputs: 8, timeStep: GradientCheckTests.dt) {
            LIFLayer(6, isRecurrent: recurrent, surrogate: Self.surrogate, resetGradient: reset,
                     adaptation: adaptive ? (tau: .milliseconds(30), strength: 0.5) : nil, dropout: 0.3)
            LIFLayer(5, surrogate: Self.surrogate, dropout: 0.2)
            LeakyReadout(3, tauMembrane: .milliseconds(30), initialState: -1)
        })
        try GradientCheckTests.expectPasses(net, dropoutSeed: 42)
    }

    @Test("Dropout masks: about p of the transmitted spikes dropped, kept ones scaled by 1/(1 − p); none without a seed")
    func dropoutMasks() throws {
        let net = try Self.initialized(SpikingNetwork(inputs: 8, timeStep: GradientCheckTests.dt) {
            LIFLayer(64, surrogate: Self.surrogate, dropout: 0.25)
            LeakyReadout(3, tauMembrane: .milliseconds(30), initialState: -1)
        }, sigmaU: 3)
        let input = bernoulliInput(steps: 200, batch: 8, channels: 8, probability: 0.3, seed: 5)
        let ws = SimulationWorkspace()
        try ws.forward(net, input: input)
        let plain = Array(ws.output(ofLayer: 0))
        try ws.forward(net, input: input, options: ForwardOptions(dropoutSeed: 9))
        let dropped = Array(ws.output(ofLayer: 0))
        let spikes = plain.filter { $0 == 1 }.count
        #expect(spikes > 1000)
        // The membrane does not see dropout (reset uses the internal spike): where the plain run spiked, the dropout
        // run holds 0 or 1/(1 − p).
        var kept = 0
        for (a, b) in zip(plain, dropped) where a == 1 {
            #expect(b == 0 || abs(b - 1 / 0.75) < 1e-6)
            if b != 0 { kept += 1 }
        }
        let fraction = Double(kept) / Double(spikes)
        let sd = (0.25 * 0.75 / Double(spikes)).squareRoot()
        #expect(abs(fraction - 0.75) < 5 * sd)
        #expect(zip(plain, dropped).allSatisfy { $0 == 0 ? $1 == 0 : true })
    }
}

extension ArchitectureGradientCheckTests {
    /// Input on a 2-channel × 6-position grid (channels-last), or 2 × 3 × 4 for 2-D.
    static let gridInput = bernoulliInput(steps: 40, batch: 3, channels: 24, probability: 0.25, seed: 13)

    @Test("Conv1d feed-forward + recurrent conv (stride, padding, dilation, groups), then a dense readout (flatten)",
          arguments: [(1, 1), (2, 2)])
    func conv1d(dilation: Int, groups: Int) throws {
        let net = try Self.initialized(SpikingNetwork(inputs: 24, inputShape: ActivityShape(channels: 2, spatial: [12]),
                                                      timeStep: GradientCheckTests.dt) {
            ConvolutionalLIFLayer(channels: 4, kernel: [3], stride: [2], padding: [1], dilation: [dilation], groups: groups,
                                  recurrentKernel: [3], dynamics: LIFDynamics(surrogate: Self.surrogate))
            ConvolutionalLIFLayer(channels: 3, kernel: [2], dynamics: LIFDynamics(surrogate: Self.surrogate))
            LeakyReadout(3, tauMembrane: .milliseconds(30), initialState: -1)
        }, sigmaU: 2)
        #expect(net.layers[0].shape == ActivityShape(channels: 4, spatial: [dilation == 1 ? 6 : 5]))
        try GradientCheckTests.expectPasses(net, regularizers: [.twoSided(strength: 0.3, threshold: 0.05, per: .channel)],
                                            input: Self.gridInput)
    }

    @Test("Conv2d + recurrent conv, then max / average / sum pooling, then conv and readout", arguments: [PoolingKind.max, .average, .sum])
    func conv2dPooling(kind: PoolingKind) throws {
        let net = try Self.initialized(SpikingNetwork(inputs: 24, inputShape: ActivityShape(channels: 2, spatial: [3, 4]),
                                                      timeStep: GradientCheckTests.dt) {
            ConvolutionalLIFLayer(channels: 3, kernel: [3, 3], padding: [1, 1], recurrentKernel: [3, 3],
                                  dynamics: LIFDynamics(surrogate: Self.surrogate))
            PoolingLayer(kind, window: [2, 2], stride: [1, 2])
            ConvolutionalLIFLayer(channels: 2, kernel: [2, 1], dynamics: LIFDynamics(surrogate: Self.surrogate))
            LeakyReadout(3, tauMembrane: .milliseconds(30), initialState: -1)
        }, sigmaU: 2)
        #expect(net.layers[1].shape == ActivityShape(channels: 3, spatial: [2, 2]))
        try GradientCheckTests.expectPasses(net, regularizers: [.twoSided(strength: 0.3, threshold: 0.05, per: .position)],
                                            input: Self.gridInput)
    }
}

extension ArchitectureGradientCheckTests {
    @Test("Leaky delta-synapse neurons with subtractive reset (paper 2), spiking output with spike-count cross-entropy")
    func leaky() throws {
        let net = try Self.initialized(SpikingNetwork(inputs: 8, timeStep: GradientCheckTests.dt) {
            LeakyLayer(7, dynamics: LeakyDynamics(beta: 0.5, surrogate: .arcTangent(alpha: 1)))
            LeakyLayer(3, dynamics: LeakyDynamics(beta: 0.5, surrogate: .fastSigmoid(slope: 3)))
        }, sigmaU: 2)
        try GradientCheckTests.expectPasses(net, loss: .sumOverTimeCrossEntropy)
    }
}
