import SNNKit
import Testing

@Suite("Dalian networks")
struct DaleNetworkTests {
    static func network() throws -> SpikingNetwork {
        try SpikingNetwork(inputs: 700, timeStep: .milliseconds(2)) {
            DalianLayer(excitatory: 128, inhibitory: 32)
            LeakyReadout(20, tauMembrane: .milliseconds(700))
        }
    }

    @Test("A Dalian layer: E units 0..<128 project onward; X→all, E→all excitatory, I→all inhibitory, all non-negative")
    func structure() throws {
        let net = try Self.network()
        let dale = net.layers[0]
        #expect(dale.size == 160 && dale.outputUnits == 0..<128)
        #expect(dale.afferents.map(\.synapse) == [.excitatory, .excitatory, .inhibitory])
        #expect(dale.afferents.map(\.sourceUnits) == [nil, 0..<128, 128..<160])
        #expect(dale.afferents.allSatisfy { $0.constraint == .nonNegative })
        #expect(net.layers[1].afferents[0].weights.shape == [20, 128])
        for p in dale.afferents { #expect(p.weights.scalars.allSatisfy { $0 >= 0 }) }
    }

    @Test("initialize uses the balanced exponential rule of SPEC §3.3: λ_ff 31.84, λ_rec 40.84, λ_inh 2.425 at ν 15.8 Hz")
    func exponentialInitialization() throws {
        var net = try Self.network()
        var rng = Xoshiro256StarStar(seed: 4)
        let report = try net.initialize(.fluctuationDriven(sigmaU: 1, feedForwardShare: 0.9), rates: .fixed(hertz: 15.8), using: &rng)
        let lambdas = report.projections.filter { $0.layer == 0 }.map { 1 / $0.muW }
        #expect(abs(lambdas[0] - 31.84) < 0.005)
        #expect(abs(lambdas[1] - 40.84) < 0.005)
        #expect(abs(lambdas[2] - 2.425) < 0.0005)
        // Sampled weights: exponential, non-negative, mean 1/λ within 5 standard errors (std of an exponential = mean).
        for (j, lambda) in lambdas.enumerated() {
            let w = net.layers[0].afferents[j].weights.scalars
            #expect(w.allSatisfy { $0 >= 0 })
            let mean = w.reduce(0.0) { $0 + Double($1) } / Double(w.count)
            #expect(abs(mean - 1 / lambda) < 5 / lambda / Double(w.count).squareRoot())
        }
    }
}
