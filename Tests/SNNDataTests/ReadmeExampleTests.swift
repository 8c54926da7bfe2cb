import Foundation
import SNNData
import Testing

/// The README's 20-line example, line for line except for sizes and epochs (so it runs in a second): if the public
/// API drifts, this stops compiling.
@Suite("README example")
struct ReadmeExampleTests {
    @Test("The README example runs end to end and learns above chance")
    func readme() throws {
        let data = try Randman.classification(classes: 10, units: 20, steps: 100, timeStep: .milliseconds(2), samplesPerClass: 100, seed: 1)
        let (train, valid, test) = try data.split(0.8, 0.1, 0.1)

        var net = try SpikingNetwork(inputs: 20, timeStep: .milliseconds(2)) {
            LIFLayer(128, tauMembrane: .milliseconds(20), tauSynapse: .milliseconds(10))
            LeakyReadout(10, tauMembrane: .milliseconds(200), tauSynapse: .milliseconds(10), initialState: -1e-2)
        }
        var rng = Xoshiro256StarStar(seed: 1)
        let report = try net.initialize(.fluctuationDriven(sigmaU: 1), rates: .measured(on: train), using: &rng)
        #expect(report.description.contains("hidden1"))

        let trainer = try Trainer(network: net, loss: .maxOverTimeCrossEntropy, optimizer: SMORMS3(learningRate: 5e-3),
                                  regularizers: [.lowerBound(strength: 100, threshold: 1e-3, per: .neuron),
                                                 .upperBound(strength: 0.1, threshold: 4, per: .population)])
        try trainer.fit(train, validation: valid, epochs: 30, batchSize: 25, progress: .silent)
        let result = try trainer.evaluate(test)
        #expect(result.accuracy > 0.3, "\(result)")   // chance is 0.1
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try trainer.network.save(to: url)
        #expect(try SpikingNetwork.load(from: url) == trainer.network)
    }
}
