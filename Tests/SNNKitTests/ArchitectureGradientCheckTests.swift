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
