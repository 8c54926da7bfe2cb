import SNNKit
import Testing

/// Bad configurations are rejected with a specific error before any work.
@Suite("Configuration validation")
struct ValidationTests {
    @Test("Zero or negative sizes")
    func sizes() {
        #expect(throws: ConfigurationError.nonPositiveSize(field: "layer 0 (LIF) size", value: 0)) {
            try SpikingNetwork(inputs: 3, timeStep: .milliseconds(1)) { LIFLayer(0) }
        }
        #expect(throws: ConfigurationError.nonPositiveSize(field: "network.inputs", value: -2)) {
            try SpikingNetwork(inputs: -2, timeStep: .milliseconds(1)) { LIFLayer(4) }
        }
        #expect(throws: ConfigurationError.invalidNetwork(reason: "a network needs at least one layer")) {
            try SpikingNetwork(inputs: 2, timeStep: .milliseconds(1)) {}
        }
    }

    @Test("τ ≤ 0 and Δt ≥ τ")
    func timeConstants() {
        #expect(throws: ConfigurationError.nonPositiveTimeConstant(field: "layer 0 (hidden1).tauMembrane", seconds: 0)) {
            try SpikingNetwork(inputs: 3, timeStep: .milliseconds(1)) { LIFLayer(4, tauMembrane: .zero) }
        }
        #expect(throws: ConfigurationError.timeStepNotBelowTimeConstant(field: "layer 1 (readout).tauSynapse", timeStep: 0.01, timeConstant: 0.01)) {
            try SpikingNetwork(inputs: 3, timeStep: .milliseconds(10)) {
                LIFLayer(4, tauMembrane: .milliseconds(20), tauSynapse: .milliseconds(15))
                LeakyReadout(2, tauMembrane: .milliseconds(100), tauSynapse: .milliseconds(10))
            }
        }
        #expect(throws: ConfigurationError.self) {
            try SpikingNetwork(inputs: 3, timeStep: .zero) { LIFLayer(4) }
        }
        #expect(throws: ConfigurationError.self) {
            try SpikingNetwork(inputs: 3, timeStep: .milliseconds(1)) { LIFLayer(4, surrogate: .superSpike(beta: -1)) }
        }
    }

    @Test("ν ≤ 0, σ_U ≤ 0, α outside (0, 1], ξ ≤ 0")
    func initializerParameters() throws {
        var net = try SpikingNetwork(inputs: 3, timeStep: .milliseconds(1)) { LIFLayer(4) }
        let before = net
        var rng = Xoshiro256StarStar(seed: 1)
        #expect(throws: ConfigurationError.nonPositiveParameter(field: "rates.fixed(hertz:)", value: 0)) {
            try net.initialize(.fluctuationDriven(sigmaU: 1), rates: .fixed(hertz: 0), using: &rng)
        }
        #expect(throws: ConfigurationError.nonPositiveParameter(field: "fluctuationDriven.sigmaU", value: -1)) {
            try net.initialize(.fluctuationDriven(sigmaU: -1), rates: .fixed(hertz: 5), using: &rng)
        }
        #expect(throws: ConfigurationError.self) {
            try net.initialize(.fluctuationDriven(sigmaU: 1, feedForwardShare: 1.5), rates: .fixed(hertz: 5), using: &rng)
        }
        #expect(throws: ConfigurationError.self) {
            try net.initialize(.fluctuationDriven(meanU: 0, xi: 0), rates: .fixed(hertz: 5), using: &rng)
        }
        #expect(net == before, "a rejected initialization must not touch the weights")
    }

    @Test("Mismatched shapes: input tensor, data set channels, explicit weights")
    func shapes() throws {
        let net = try SpikingNetwork(inputs: 3, timeStep: .milliseconds(1)) { LIFLayer(4); LeakyReadout(2, tauMembrane: .milliseconds(50)) }
        #expect(throws: ConfigurationError.shapeMismatch(what: "network input", expected: "[T, B, 3] with T, B > 0", found: "[10, 2, 5]")) {
            try SimulationWorkspace().forward(net, input: Tensor(shape: [10, 2, 5]))
        }
        var layers = net.layers
        layers[1].afferents[0].weights = Tensor(shape: [2, 5])
        #expect(throws: ConfigurationError.shapeMismatch(what: "layer 1 (readout).afferents[0].weights", expected: "[2, 4]", found: "[2, 5]")) {
            try SpikingNetwork(inputs: 3, timeStep: .milliseconds(1), layers: layers)
        }
        let data = try SpikeDataset(channels: 5, steps: 10, timeStep: .milliseconds(1), classes: 2, eventOffsets: [0, 1],
                                    eventSteps: [0], eventChannels: [4], labels: [1])
        let trainer = try Trainer(network: net, optimizer: Adam())
        #expect(throws: ConfigurationError.shapeMismatch(what: "data set channels", expected: "3 (network inputs)", found: "5")) {
            try trainer.evaluate(data)
        }
        #expect(throws: ConfigurationError.self) { try Trainer(network: net, optimizer: Adam(learningRate: 0)) }
        _ = trainer.prepareBatch(steps: 10, batch: 2)
        #expect(throws: ConfigurationError.shapeMismatch(what: "labels", expected: "2 (the prepared batch)", found: "1")) {
            try trainer.step(labels: [0])
        }
        #expect(throws: ConfigurationError.outOfRange(field: "labels[1]", value: 2, range: "0..<2")) {
            try trainer.forward(labels: [0, 2])
        }
    }

    @Test("Malformed data sets: events outside the grid, labels out of range")
    func dataSets() {
        #expect(throws: ConfigurationError.outOfRange(field: "dataset.eventSteps[0]", value: 10, range: "0..<10")) {
            try SpikeDataset(channels: 2, steps: 10, timeStep: .milliseconds(1), classes: 2, eventOffsets: [0, 1],
                             eventSteps: [10], eventChannels: [0], labels: [0])
        }
        #expect(throws: ConfigurationError.outOfRange(field: "dataset.labels[0]", value: 2, range: "0..<2")) {
            try SpikeDataset(channels: 2, steps: 10, timeStep: .milliseconds(1), classes: 2, eventOffsets: [0, 0],
                             eventSteps: [], eventChannels: [], labels: [2])
        }
    }
}
